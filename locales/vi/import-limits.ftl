# Giới hạn một tệp nhập được phép dùng (crates/core/src/xlsx.rs) và việc nhập bị dừng giữa chừng.
err-xlsx-too-large = Tệp XLSX khi giải nén vượt quá { $max } MB, quá lớn so với một danh sách. Hãy xoá các trang tính, hình ảnh và dòng trống thừa, hoặc chia danh sách thành nhiều tệp nhỏ hơn.
err-xlsx-ratio = Tệp XLSX bị nén bất thường (một phần của tệp giải nén ra lớn hơn { $ratio } lần), tệp danh sách thật không như vậy. Hãy mở tệp bằng Excel, chép riêng bảng danh sách sang tệp mới rồi lưu lại.
err-xlsx-too-many-parts = Tệp XLSX chứa quá nhiều thành phần (hơn { $max }). Hãy chép riêng bảng danh sách sang một tệp Excel mới rồi tải lên tệp đó.
err-xlsx-too-many-strings = Tệp XLSX có hơn { $max } giá trị chữ khác nhau, quá nhiều so với một danh sách. Hãy chia danh sách thành nhiều tệp nhỏ hơn.
err-xlsx-element-too-long = Tệp XLSX có một đoạn dữ liệu dài hơn { $max } MB liền một khối, tệp danh sách thật không như vậy. Hãy mở tệp bằng Excel, chép riêng bảng danh sách sang tệp mới rồi lưu lại.
err-import-too-many-rows = Tệp có hơn { $max } dòng có dữ liệu. Hãy chia danh sách thành nhiều tệp nhỏ hơn và xoá các dòng thừa ở cuối bảng.
err-import-row-too-far = Tệp có ô ở dòng { $row }, quá dòng cuối cùng một bảng tính có thể có ({ $max }). Hãy mở tệp bằng Excel, xoá các dòng thừa ở cuối bảng rồi lưu lại.
err-import-too-many-columns = Ô { $cell } có dữ liệu nhưng nằm quá cột { $max }, danh sách không có nhiều cột như vậy. Hãy xoá nội dung các ô thừa ở bên phải bảng (từ ô { $cell }) rồi lưu lại.
err-import-too-many-cells = Tệp có hơn { $max } ô dữ liệu. Hãy xoá các cột và dòng không cần thiết, hoặc chia danh sách thành nhiều tệp nhỏ hơn.
err-import-too-much-text = Tổng nội dung chữ của tệp vượt quá { $max } MB. Hãy xoá các cột không cần thiết hoặc chia danh sách thành nhiều tệp nhỏ hơn.
err-import-cell-too-long = Tệp có một ô dài hơn { $max } ký tự, vượt giới hạn của một ô bảng tính. Hãy mở tệp bằng Excel, sửa ô đó rồi lưu lại.
err-import-crashed-twice-checking = Tệp này đã làm máy chủ dừng đột ngột hai lần khi đang kiểm tra, nên đã bị dừng hẳn và xoá khỏi máy chủ để không làm gián đoạn người khác. Hãy kiểm tra lại tệp (mở bằng Excel, chép riêng bảng danh sách sang tệp mới rồi lưu lại) và tải lên lại; nếu vẫn lỗi, hãy gửi tệp cho quản trị viên.
err-import-crashed-twice-applying = Tệp này đã làm máy chủ dừng đột ngột hai lần khi đang nhập dữ liệu, nên đã bị dừng hẳn và xoá khỏi máy chủ để không làm gián đoạn người khác. Các phần đã nhập trước đó vẫn được giữ nguyên. Hãy kiểm tra lại tệp (mở bằng Excel, chép riêng bảng danh sách sang tệp mới rồi lưu lại) và tải lên lại; nếu vẫn lỗi, hãy gửi tệp cho quản trị viên.
import-errors-unstored = … và { $count } lỗi khác không được lưu (chỉ lưu { $stored } lỗi đầu tiên). Hãy sửa các lỗi trên rồi tải tệp lên lại để xem tiếp.
err-upload-reader-busy = Máy chủ đang đọc một tệp khác nên chưa đọc được tệp của bạn; tệp chưa được lưu và không có gì thay đổi. Vui lòng gửi lại tệp sau một phút.
