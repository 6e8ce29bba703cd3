# Đọc bài khi không có mạng (service worker, trang ngoại tuyến).
offline-title = Bạn đang ngoại tuyến
offline-lead = Không kết nối được với máy chủ, và trang này chưa được lưu trên thiết bị của bạn.
offline-kept = Các bài bạn đã mở trên thiết bị này vẫn đọc được khi không có mạng.
offline-kept-title = Bài đọc được khi không có mạng
offline-again = Khi có mạng trở lại, hãy tải lại trang.
