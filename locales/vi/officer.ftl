# Trang của cán bộ: xác nhận việc không hoàn tác được, lọc và phân trang, chọn đơn vị bằng tìm kiếm.

choose = Chọn
cancel = Huỷ, quay lại
prev-page = Trang trước
pages-label = Chuyển trang
confirm-what-happens = Việc này sẽ làm gì
unit-search-help = Gõ tên (có hoặc không dấu) hoặc mã đơn vị.
unit-search-none = Không có đơn vị nào khớp. Hãy gõ ít chữ hơn hoặc kiểm tra lại mã.

merge-start = Sáp nhập đơn vị này vào đơn vị khác…
merge-title = Sáp nhập
merge-intro = Chọn đơn vị cùng cấp sẽ nhận đơn vị này. Bước sau sẽ cho biết việc sáp nhập làm gì và hỏi bạn xác nhận; chưa có gì thay đổi ở bước này.
merge-search-label = Tìm đơn vị nhận
merge-no-siblings = Đơn vị này không có đơn vị cùng cấp nào để sáp nhập vào.
merge-what-happens = Việc sáp nhập sẽ làm gì
merge-absorbed = Đơn vị bị sáp nhập:
merge-into = Đơn vị nhận:
merge-will-people = { $count } người dân đang ở { $from } (kể cả ở các thôn, tổ dân phố trực thuộc) sẽ chuyển sang { $into }; hồ sơ của họ giữ nguyên.
merge-will-children = { $count } thôn, tổ dân phố và tổ chức trực thuộc { $from } sẽ chuyển sang trực thuộc { $into }, giữ nguyên tên và mã.
merge-will-denominators = Mẫu số (số người cần phổ cập) của { $from } sẽ được cộng vào mẫu số của { $into }, theo từng năm và từng loại; { $from } vẫn giữ số liệu cũ làm lịch sử.
merge-will-inactive = { $from } sẽ ngừng hoạt động: không còn hiện trong danh sách, không nhận thêm người dân; trang của nó chỉ còn lịch sử và đường dẫn tới { $into }.
merge-will-grants = { $count } quyền đã cấp trên { $from } sẽ không tự chuyển sang { $into }: những người giữ các quyền đó sẽ không còn thấy người dân đã chuyển đi. Hãy cấp lại quyền trên { $into } nếu cần.
merge-will-final = Không thể hoàn tác việc sáp nhập trên trang này. Muốn tách lại phải tạo đơn vị mới và chuyển từng thôn, tổ dân phố.
merge-confirm-box = Tôi đã đọc và xác nhận sáp nhập
merge-confirm-button = Sáp nhập
merge-choose-other = Chọn đơn vị khác
merge-not-confirmed = Chưa sáp nhập: bạn chưa đánh dấu ô xác nhận. Hãy đọc lại và đánh dấu nếu muốn tiếp tục.

people-total = Tổng số: { $count } người
people-total-not-counted = Đơn vị có hơn { $count } người nên không đếm theo nhóm; hãy chọn một xã hoặc thôn để biết tổng số.
people-total-more = Hơn { $count } người khớp; hãy gõ tên đầy đủ hơn để thu hẹp.
filter-all-villages = Tất cả thôn, tổ dân phố
filter-all-groups = Tất cả nhóm đối tượng

reset-will-new = Một mật khẩu tạm mới sẽ được tạo cho { $name } và hiện một lần duy nhất ở trang kế tiếp.
reset-will-old-stops = Mật khẩu đang dùng của { $name } sẽ không đăng nhập được nữa.
reset-will-sessions = Mọi nơi { $name } đang đăng nhập sẽ bị đăng xuất.
reset-will-change = { $name } phải đổi mật khẩu tạm ngay ở lần đăng nhập tới.
reset-will-create = Một tài khoản mới sẽ được tạo cho { $name }, đăng nhập bằng số định danh cá nhân (và số điện thoại nếu chưa tài khoản nào dùng) với một mật khẩu tạm hiện một lần duy nhất ở trang kế tiếp.
reset-in-person = Chỉ làm việc này khi người dân đang ở trước mặt bạn và đã được xác minh đúng là họ. Việc này được ghi vào nhật ký.
reset-confirm-box = Người dân đang ở đây và tôi xác nhận cấp mật khẩu tạm
reset-confirm-button = Cấp mật khẩu tạm
reset-not-confirmed = Chưa cấp mật khẩu: bạn chưa đánh dấu ô xác nhận. Mật khẩu cũ vẫn dùng được.

access-step-unit = Bước 1: chọn đơn vị
access-step-person = Bước 2: người được cấp quyền và vai trò
access-unit-search = Tìm đơn vị
access-unit-help-scope = Chỉ hiện các đơn vị trong phạm vi bạn được phân quyền. Quyền áp dụng cho đơn vị và mọi đơn vị trực thuộc.
access-unit-results = Các đơn vị tìm thấy
access-unit-change = Chọn đơn vị khác
err-access-unit-choose = Chưa chọn đơn vị, hoặc đơn vị đã chọn không còn. Hãy tìm và chọn lại đơn vị ở bước 1.

audit-filter = Lọc nhật ký
audit-all-actions = Mọi việc
audit-person = Người dân
audit-person-help = Tên (có hoặc không dấu) hoặc số điện thoại.
audit-actor-help = Tên hoặc số điện thoại của người thực hiện.
audit-from-date = Từ ngày
audit-to-date = Đến ngày
audit-apply = Lọc
audit-clear = Bỏ lọc
audit-none = Không có mục nhật ký nào khớp.
audit-newer = Mục mới hơn
audit-older = Mục cũ hơn
audit-person-hidden = Người dân số { $id } (ngoài phạm vi xem của bạn)
audit-account-hidden = Tài khoản số { $id }
audit-import-job = Lượt nhập danh sách số { $id }
audit-err-action = Việc cần lọc không hợp lệ; hãy chọn trong danh sách.
audit-err-person-id = Không lọc nhật ký theo số định danh. Hãy tìm theo tên hoặc số điện thoại.
audit-err-range = “Đến ngày” phải sau hoặc bằng “Từ ngày”; đã bỏ lọc theo ngày.
