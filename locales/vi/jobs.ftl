# Việc chạy nền (hàng đợi chung của mọi phân hệ): lý do một việc không thành.
err-job-actor-denied = Việc này đã dừng vì tài khoản yêu cầu nó không còn quyền làm việc này tại { $unit } (quyền đã bị thu hồi, đơn vị đã được chuyển đi, hoặc tài khoản đã bị khoá). Không có gì được ghi thêm; nếu vẫn cần, một cán bộ có quyền hãy làm lại từ đầu.
err-job-crashed = Việc này đã làm máy chủ dừng đột ngột { $attempts } lần nên đã bị dừng hẳn để không làm gián đoạn người khác. Hãy báo quản trị viên.
err-job-broke = Việc này bị dừng do lỗi hệ thống ({ $reason }). Hãy báo quản trị viên.
err-job-payload = Không đọc được dữ liệu của việc này ({ $reason }); có thể nó được tạo bởi một phiên bản khác của hệ thống. Hãy báo quản trị viên.
# Danh sách thôn, tổ dân phố được tạo ngay trong lượt gửi (không chạy nền), nên có giới hạn số dòng.
err-villages-too-many = Danh sách có hơn { $max } dòng, nhiều hơn số thôn, tổ dân phố của bất kỳ xã, phường nào. Hãy kiểm tra lại tệp (có thể đã chọn nhầm danh sách người dân) và tải lên danh sách thôn của xã.
