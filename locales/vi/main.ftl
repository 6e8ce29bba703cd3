## Tên trường (dùng trong thông báo lỗi)
field-full_name = Họ và tên
field-birth_date = Ngày sinh
field-sex = Giới tính
field-personal_id = Số định danh cá nhân
field-phone = Số điện thoại
field-groups = Đối tượng
field-village = Thôn/Tổ dân phố
field-household = Hộ gia đình
field-workplace = Nơi làm việc
field-name = Tên
field-code = Mã
field-password = Mật khẩu
field-login = Số điện thoại hoặc số định danh
field-source = Nguồn số liệu
field-value = Giá trị
field-year = Năm
field-note = Ghi chú

## Lỗi nhập liệu
err-text-empty = { $field } không được để trống. Hãy nhập { $field }.
err-text-too-long = { $field } dài { $len } ký tự, quá mức tối đa { $max } ký tự. Hãy rút gọn lại.
err-text-control = { $field } chứa ký tự điều khiển không in được ({ $code }). Hãy gõ lại nội dung, không dán từ nguồn lạ.
err-date-form = { $field } “{ $value }” không đúng dạng. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 14/03/1985.
err-date-invalid = { $field } “{ $value }” không có thật trên lịch (ví dụ không có ngày 31/02). Hãy kiểm tra lại ngày và tháng.
err-date-future = { $field } không thể ở sau ngày hôm nay. Hãy kiểm tra lại năm.
err-date-too-old = { $field } cách đây hơn 130 năm. Hãy kiểm tra lại năm.
err-sex = Giới tính “{ $value }” không hợp lệ. Hãy ghi “Nam” hoặc “Nữ”.
err-phone = Số điện thoại “{ $value }” không hợp lệ. Hãy nhập đủ 10 chữ số, bắt đầu bằng 0, ví dụ 0912345678.
err-group-unknown = Đối tượng “{ $value }” không có trong danh mục. Hãy dùng: Cán bộ, công chức, viên chức; Học sinh, sinh viên; Người lao động; Người dân.
err-pid-empty = Chưa nhập số định danh cá nhân. Hãy nhập đủ 12 chữ số in trên thẻ căn cước.
err-pid-not-digit = Số định danh cá nhân chỉ gồm chữ số, nhưng có ký tự “{ $char }”. Hãy xoá ký tự đó.
err-pid-length = Số định danh cá nhân phải có đúng 12 chữ số, số đã nhập có { $len } chữ số. Hãy đối chiếu lại với thẻ căn cước.
err-pid-province = Ba chữ số đầu “{ $code }” không phải mã tỉnh nơi đăng ký khai sinh nào. Hãy đối chiếu lại với thẻ căn cước.
err-pid-sex = Chữ số thứ tư “{ $digit }” của số định danh không khớp với giới tính đã nhập (số chẵn là nam, số lẻ là nữ). Hãy kiểm tra lại giới tính hoặc số định danh.
err-pid-century = Chữ số thứ tư “{ $digit }” của số định danh không khớp với năm sinh { $year } (0, 1: sinh 1900–1999; 2, 3: sinh 2000–2099). Hãy kiểm tra lại.
err-pid-year = Chữ số thứ 5–6 “{ $digits }” của số định danh phải là hai số cuối của năm sinh { $year }. Hãy kiểm tra lại năm sinh hoặc số định danh.
err-pid-duplicate = Đã có người khác mang số định danh này trong hệ thống. Mỗi người chỉ có một hồ sơ; hãy tìm hồ sơ đã có thay vì tạo mới.
err-count = “{ $value }” không phải số đếm hợp lệ. Hãy nhập số nguyên không âm, ví dụ 1250.
err-year = Năm “{ $value }” không hợp lệ. Hãy nhập năm từ 2020 đến 2100.
err-password-short = Mật khẩu phải có ít nhất { $min } ký tự.
err-password-long = Mật khẩu không được dài quá { $max } ký tự.
err-password-mismatch = Hai lần nhập mật khẩu mới không giống nhau. Hãy nhập lại.

## Lỗi tệp nhập
err-file-empty = Tệp rỗng (0 byte). Hãy chọn đúng tệp danh sách đã lưu.
err-file-no-header = Không tìm thấy dòng tiêu đề cột trong 20 dòng đầu. Tệp cần có dòng tiêu đề như: Họ và tên, Ngày sinh, Giới tính, Số định danh.
err-file-missing-columns = Tệp thiếu cột bắt buộc: { $columns }. Hãy thêm các cột này vào dòng tiêu đề.
err-file-encoding = Không đọc được bảng mã của tệp. Hãy lưu lại tệp dạng CSV UTF-8 (trong Excel: Lưu thành → CSV UTF-8) hoặc XLSX.
err-file-binary = Tệp không phải bảng tính CSV hay XLSX. Hãy chọn tệp .csv hoặc .xlsx.
err-file-csv = Tệp CSV bị hỏng ở dòng { $line } (dấu ngoặc kép không đóng). Hãy sửa dòng đó hoặc lưu lại tệp từ Excel.
err-file-xlsx = Không mở được tệp XLSX (tệp hỏng hoặc không phải Excel). Hãy mở bằng Excel rồi lưu lại dạng .xlsx.
err-file-too-large = Tệp quá lớn (tối đa { $max } MB). Hãy chia danh sách thành nhiều tệp nhỏ hơn.
err-import-duplicate-in-file = Số định danh này đã xuất hiện ở dòng { $first } của cùng tệp. Hãy xoá một trong hai dòng.
err-import-village = Không tìm thấy thôn/tổ dân phố “{ $value }” trong xã/phường này. Hãy tạo thôn trước hoặc sửa tên cho đúng.
err-import-other-unit = Người có số định danh này đang cư trú ở đơn vị ngoài phạm vi của bạn. Hãy liên hệ đơn vị đó để chuyển hồ sơ.
