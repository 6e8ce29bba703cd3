## Bảo mật tài khoản: đặt lại mật khẩu, mã truy cập API, từ chối số định danh

err-account-wider-rights = Tài khoản này đang giữ quyền rộng hơn quyền bạn có thể cấp (ví dụ quyền của cấp tỉnh). Bạn không thể đặt lại mật khẩu hay đổi quyền của tài khoản này; hãy đề nghị cán bộ cấp tỉnh (người giữ quyền rộng hơn) thực hiện.
err-pid-refusals-limit = Tài khoản của bạn đã bị từ chối quá nhiều lần trong một giờ vì số định danh đã có người khác mang. Để bảo vệ dữ liệu cá nhân, tạm dừng đăng ký mới trong một giờ. Nếu cần gấp, hãy liên hệ cán bộ cấp tỉnh.
tokens-expiry-note = Mỗi mã hết hạn sau 90 ngày. Hãy thu hồi ngay mã không còn dùng hoặc bị lộ.
tokens-list = Các mã đã tạo
tokens-name-col = Tên mã
tokens-created = Tạo lúc
tokens-last-used = Dùng lần cuối
tokens-expires = Hết hạn
tokens-state = Trạng thái
tokens-revoke = Thu hồi
tokens-never-used = Chưa dùng
tokens-revoked = Đã thu hồi
tokens-expired = Đã hết hạn
audit-account-api_token_revoked = Thu hồi mã truy cập API
audit-person-pid_refused = Từ chối số định danh đã có người mang
