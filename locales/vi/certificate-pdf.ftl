# Giấy chứng nhận in ra (PDF), issue 10 §4: nhãn cố định trên trang.
cert-pdf-doc-title = Giấy chứng nhận
cert-pdf-title = GIẤY CHỨNG NHẬN
cert-pdf-certifies = Chứng nhận
cert-pdf-level = Mức đạt: { $level }
cert-pdf-issued-on = Cấp { $date }
cert-pdf-code = Mã chứng nhận: { $code }
cert-pdf-verify-at = Kiểm tra tại: { $url }
cert-pdf-course-level = Trình độ của khóa học: { $level }
