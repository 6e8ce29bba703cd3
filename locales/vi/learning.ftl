## Nội dung học tập: khung năng lực số, yêu cầu theo nhóm đối tượng, khóa học và bài học
content-lang-vi = Tiếng Việt
content-lang-en = Tiếng Anh
content-lang-jra = Tiếng Jrai
content-lang-bdq = Tiếng Ba Na

# Tên các mục trong tệp khai báo, dùng trong thông báo lỗi ({ $field })
field-learning-title = Tiêu đề
field-learning-title-en = Tiêu đề tiếng Anh
field-learning-summary = Tóm tắt
field-learning-source = Nguồn
field-learning-source-note = Ghi chú về nguồn
field-learning-issued-by = Cơ quan ban hành
field-learning-version = Phiên bản
field-learning-name = Tên
field-learning-name-en = Tên tiếng Anh
field-learning-description = Mô tả
field-learning-note = Ghi chú
field-learning-module-title = Tên học phần
field-learning-modules = Học phần
field-learning-checklist = Các bước thực hành
field-learning-checklist-item = Bước thực hành
field-learning-competences = Năng lực
field-learning-minutes = Thời lượng
field-learning-level = Mức

# Đọc tệp
err-learning-toml = Phần khai báo viết chưa đúng (chi tiết kỹ thuật: { $detail }). Sửa dòng được chỉ ra theo mẫu trong hướng dẫn soạn nội dung (content/README.md).
err-learning-not-utf8 = Tệp không phải văn bản mã UTF-8. Mở tệp bằng trình soạn thảo và lưu lại với bảng mã UTF-8.
err-learning-control-char = Tệp có ký tự điều khiển { $code } không được phép. Xóa ký tự này (thường lẫn vào khi sao chép từ phần mềm khác).
err-learning-file-too-large = Tệp dài { $size } byte, vượt giới hạn { $max } byte. Rút gọn nội dung hoặc chia bài thành nhiều bài ngắn hơn.
err-learning-package-too-large = Gói nội dung dài { $size } byte, vượt giới hạn { $max } byte. Bỏ các tệp không cần thiết hoặc chia thành nhiều khóa học.
err-learning-too-many-files = Gói có { $count } tệp, vượt giới hạn { $max } tệp. Chỉ để lại course.toml, các tệp bài học và bản dịch.
err-learning-too-many-lessons = Khóa học có { $count } bài, vượt giới hạn { $max } bài. Chia thành nhiều khóa học.
err-learning-too-many = “{ $field }” có nhiều hơn { $max } mục. Bỏ bớt cho còn tối đa { $max } mục.
err-learning-path-unsafe = Đường dẫn “{ $path }” không hợp lệ. Tên tệp chỉ được là tên đơn giản trong thư mục khóa học (ví dụ 01-ten-bai.md hoặc en/01-ten-bai.md): không có “..”, không bắt đầu bằng “/”, không có dấu “\”, tên ổ đĩa hay dấu hai chấm. Đổi tên hoặc bỏ tệp này khỏi gói.
err-learning-file-unexpected = Tệp “{ $path }” không thuộc cấu trúc khóa học. Gói chỉ gồm course.toml, các bài NN-ten-bai.md và bản dịch <mã ngôn ngữ>/NN-ten-bai.md. Bỏ tệp này khỏi gói.
err-learning-lang-unknown = Thư mục “{ $value }” không phải mã ngôn ngữ nội dung được hỗ trợ (en, vi, jra, bdq). Bản dịch phải nằm trong thư mục mang mã ngôn ngữ viết thường; đổi tên hoặc bỏ thư mục này.

# Khóa học (course.toml)
err-learning-course-missing = Gói không có tệp course.toml. Thêm tệp khai báo khóa học vào thư mục gốc của gói.
err-learning-course-slug = Mã khóa học “{ $value }” không hợp lệ. Chỉ dùng chữ thường không dấu a–z, chữ số và dấu gạch ngang, ví dụ nhan-biet-lua-dao.
err-learning-text-empty = Mục “{ $field }” đang để trống. Điền nội dung cho mục này.
err-learning-text-line = Mục “{ $field }” phải viết trên một dòng, không có ký tự xuống dòng hay ký tự điều khiển. Viết lại thành một dòng.
err-learning-text-control = Mục “{ $field }” có ký tự điều khiển không được phép. Xóa ký tự này.
err-learning-text-too-long = Mục “{ $field }” dài { $len } ký tự, tối đa { $max } ký tự. Rút gọn lại.
err-learning-language-unknown = Ngôn ngữ “{ $value }” không được hỗ trợ. Ghi một trong các mã: vi (tiếng Việt), en (tiếng Anh), jra (tiếng Jrai), bdq (tiếng Ba Na).
err-learning-group-unknown = Không có nhóm đối tượng “{ $value }”. Ghi một trong các mã: public_staff (cán bộ, công chức, viên chức), student (học sinh, sinh viên), worker (người lao động), resident (người dân).
err-learning-group-duplicate = Nhóm đối tượng “{ $value }” được ghi hai lần. Bỏ một lần ghi.
err-learning-groups-empty = Khóa học chưa ghi nhóm đối tượng nào. Thêm ít nhất một nhóm, ví dụ groups = ["resident"].
err-learning-competence-ref = Mã năng lực “{ $value }” không đúng dạng mã-khung:mã-năng-lực. Viết lại, ví dụ digcomp22:4.1.
err-learning-competence-duplicate = Năng lực { $value } được ghi hai lần. Bỏ một lần ghi.
err-learning-level = Mức “{ $value }” không hợp lệ. Ghi mã mức của khung năng lực, ví dụ level = "1".
err-learning-modules-empty = Khóa học chưa có học phần nào. Thêm ít nhất một mục [[modules]] có tên và danh sách bài.
err-learning-module-empty = Học phần “{ $module }” chưa có bài nào. Thêm tên tệp bài vào lessons hoặc bỏ học phần này.
err-learning-lesson-name = Tên tệp bài học “{ $file }” không đúng mẫu NN-ten-bai.md (hai chữ số, dấu gạch ngang, rồi chữ thường không dấu, chữ số và dấu gạch ngang). Đổi tên tệp, ví dụ 01-dang-nhap.md.
err-learning-lesson-missing = Học phần “{ $module }” liệt kê bài { $file } nhưng gói không có tệp này. Thêm tệp hoặc bỏ tên bài khỏi danh sách.
err-learning-lesson-unlisted = Gói có tệp bài { $file } nhưng không học phần nào liệt kê bài này. Thêm tên tệp vào danh sách bài của một học phần hoặc bỏ tệp khỏi gói.
err-learning-lesson-listed-twice = Bài { $file } được liệt kê hai lần. Mỗi bài chỉ thuộc một học phần và chỉ ghi một lần.
err-learning-lesson-order = Bài { $file } được liệt kê sau bài { $previous } nhưng có số thứ tự nhỏ hơn. Liệt kê các bài theo thứ tự tên tệp hoặc đánh số lại tệp.
err-learning-lesson-slug-duplicate = Hai tệp bài có cùng tên “{ $slug }”, chỉ khác số thứ tự. Đổi tên một trong hai bài.

# Bài học và bản dịch
err-learning-front-matter = Bài học phải mở đầu bằng một dòng +++, tiếp theo là phần khai báo (title, minutes, level…), rồi một dòng +++ nữa trước nội dung. Thêm các dòng +++ còn thiếu.
err-learning-body-empty = Bài học chưa có nội dung sau phần khai báo. Viết nội dung bài, bắt đầu bằng một tiêu đề ##.
err-learning-minutes = Thời lượng { $value } phút không hợp lệ: mỗi bài dài từ 1 đến 60 phút. Sửa số phút hoặc chia bài dài thành nhiều bài.
err-learning-markdown-html = Bài học có mã HTML; phần này sẽ không hiện ra. Chỉ dùng Markdown: tiêu đề ##, danh sách, chữ đậm, trích dẫn, mã trong dòng, liên kết.
err-learning-markdown-image = Bài học có hình ảnh nhưng bài học chưa hỗ trợ hình; chỉ lời mô tả của hình hiện ra. Bỏ hình hoặc thay bằng lời mô tả.
err-learning-markdown-link = Liên kết “{ $url }” không được phép và sẽ chỉ hiện thành chữ. Chỉ dùng địa chỉ bắt đầu bằng https://, http://, mailto:, tel: hoặc đường dẫn trong trang (ví dụ #muc-1), viết liền không có khoảng trắng.
err-learning-translation-same-lang = Thư mục bản dịch “{ $lang }” trùng với ngôn ngữ chính của khóa học. Bài bằng ngôn ngữ chính đặt ở thư mục gốc; bỏ thư mục này.
err-learning-translation-orphan = Có bản dịch “{ $lang }” của bài { $file } nhưng gói không có bài gốc này. Thêm bài gốc hoặc bỏ bản dịch.
err-learning-translation-mismatch = Bản dịch ghi “{ $field }” khác với bài gốc. Sửa cho giống bài gốc hoặc bỏ dòng này khỏi bản dịch.
err-learning-translation-checklist = Bản dịch có { $count } bước thực hành, bài gốc có { $expected } bước. Dịch đủ từng bước, đúng thứ tự của bài gốc.

# Khung năng lực, yêu cầu theo nhóm đối tượng, bảng đối chiếu
err-learning-framework-id = Mã khung năng lực “{ $value }” không hợp lệ. Chỉ dùng chữ thường không dấu a–z, chữ số và dấu gạch ngang, ví dụ digcomp22.
err-learning-code = Mã “{ $value }” không hợp lệ. Mã của mức, lĩnh vực, năng lực chỉ gồm chữ cái không dấu, chữ số và dấu chấm, ví dụ 4.1 hoặc P1.1.
err-learning-framework-no-levels = Khung năng lực chưa có mức nào. Thêm ít nhất một mục [[levels]].
err-learning-framework-no-areas = Khung năng lực chưa có lĩnh vực nào. Thêm ít nhất một mục [[areas]].
err-learning-framework-level-duplicate = Mã mức “{ $code }” được dùng hai lần. Mỗi mức cần một mã riêng.
err-learning-framework-area-duplicate = Mã lĩnh vực “{ $code }” được dùng hai lần. Mỗi lĩnh vực cần một mã riêng.
err-learning-framework-competence-duplicate = Mã năng lực “{ $code }” được dùng hai lần trong khung. Mỗi năng lực cần một mã riêng trong toàn khung.
err-learning-framework-area-empty = Lĩnh vực “{ $code }” chưa có năng lực nào. Thêm ít nhất một mục [[areas.competences]] hoặc bỏ lĩnh vực này.
err-learning-requirement-group-duplicate = Nhóm đối tượng “{ $group }” có hai bảng yêu cầu. Gộp lại thành một mục [[group]].
err-learning-requirement-duplicate = Nhóm “{ $group }” ghi yêu cầu cho năng lực { $competence } hai lần. Chỉ giữ một dòng với mức cần đạt.
err-learning-framework-unknown = Không có khung năng lực “{ $framework }”. Sửa mã khung hoặc nạp khung này trước.
err-learning-competence-unknown = Khung { $framework } không có năng lực { $code }. Sửa mã năng lực cho đúng với khung.
err-learning-level-unknown = Khung { $framework } không có mức “{ $level }”. Dùng một mã mức có trong khung.
err-learning-mapping-same = Bảng đối chiếu phải nối hai khung khác nhau, nhưng cả hai đều là “{ $framework }”. Sửa from_framework hoặc to_framework.
err-learning-mapping-duplicate = Cặp năng lực { $from } → { $to } được ghi hai lần. Bỏ một dòng.
err-learning-mapping-relation = Quan hệ “{ $value }” không hợp lệ. Ghi một trong: close (gần tương đương), broader (rộng hơn), narrower (hẹp hơn).

# Trang học tập: danh mục khóa học, khóa học, bài học, việc học của tôi.
nav-learn = Học kỹ năng số
nav-my-learning = Việc học của tôi
learn-title = Khóa học kỹ năng số
learn-intro = Các bài học ngắn, mỗi bài vài phút, đọc được trên điện thoại. Chọn khóa học phù hợp với bạn; đăng nhập để ghi danh và lưu tiến độ.
learn-search-label = Tìm khóa học
learn-search-help = Gõ có dấu hoặc không dấu đều được, ví dụ: dich vu cong.
learn-content-lang = Ngôn ngữ nội dung
learn-all-langs = Mọi ngôn ngữ
learn-competence = Năng lực
learn-competence-help = Mã khung và mã năng lực, ví dụ digcomp22:4.1.
err-learning-competence-form = Năng lực phải có dạng mã khung:mã năng lực, ví dụ digcomp22:4.1. Sửa lại hoặc để trống ô này.
learn-clear = Bỏ lọc
learn-none = Chưa có khóa học nào được xuất bản.
learn-none-found = Không có khóa học nào khớp. Hãy thử từ khóa khác hoặc bỏ bớt điều kiện lọc.
learn-count = { $n } khóa học
learn-lessons = { $n } bài
learn-minutes = { $n } phút
learn-in-vietnamese = bằng tiếng Việt
learn-fallback = Nội dung này chưa có bản dịch sang ngôn ngữ bạn chọn nên được hiển thị bằng tiếng Việt.
learn-length = Thời lượng
learn-progress = Đã xong { $a }/{ $b } bài
learn-course-done = Bạn đã hoàn thành khóa học này.
learn-continue = Học tiếp
learn-enrol = Ghi danh vào khóa học
learn-login-to-enrol = Đăng nhập để ghi danh
learn-done = đã xong
learn-source = Nguồn và lưu ý
learn-lesson-of = Bài { $a }/{ $b }
learn-practice = Thực hành
learn-also-in = Bài này còn có bằng:
learn-lesson-done = Bạn đã hoàn thành bài này.
learn-mark-done = Tôi đã học xong bài này
learn-enrol-to-track = Ghi danh để lưu tiến độ
learn-login-to-track = Đăng nhập để lưu tiến độ học
learn-lessons-nav = Chuyển bài
learn-prev = ← Bài trước
learn-next = Bài sau →
learn-mine-none = Bạn chưa ghi danh khóa học nào.
learn-browse = Xem các khóa học
learn-mine-courses = Khóa học của tôi
learn-required = Những gì tôi cần học
learn-required-none = Chưa xác định được yêu cầu cho bạn: hồ sơ của bạn chưa ghi nhóm đối tượng, hoặc Ban Chỉ đạo chưa đặt mức cần đạt.
learn-required-intro = Mức cần đạt để được tính là "đạt phổ cập kỹ năng số" cho nhóm:
learn-required-caption = Năng lực cần đạt và các khóa học liên quan
learn-level = Mức cần đạt
learn-lessons-done = Số bài đã học
learn-courses = Khóa học
err-learning-not-enrolled = Bạn chưa ghi danh vào khóa học này nên chưa thể đánh dấu bài đã học. Hãy ghi danh trước, rồi đánh dấu lại.
home-next-title = Việc cần làm tiếp
home-start-learning = Bắt đầu học
err-api-content-lang = Ngôn ngữ nội dung "{ $value }" không được hỗ trợ. Dùng một trong các mã: vi, en, jra, bdq.
err-api-group = Nhóm đối tượng "{ $value }" không hợp lệ. Dùng một trong các mã: public_staff, student, worker, resident.
home-required-count = { $n } năng lực
audit-course-install = Cài đặt hoặc cập nhật khóa học có sẵn
course-status-draft = Bản nháp
course-status-review = Chờ duyệt
course-status-published = Đã xuất bản
course-status-archived = Đã ngừng
