# Ngân hàng câu hỏi khởi đầu (content/items/<khung>/<năng lực>-<mức>.toml), issue 10.
err-bank-syntax = Tệp câu hỏi viết sai cú pháp TOML ở dòng { $line } (chi tiết kỹ thuật: { $detail }). Sửa dòng đó theo mẫu trong content/items/README.md.
err-bank-invalid = Tệp câu hỏi có chỗ chưa đúng định dạng (chi tiết kỹ thuật: { $detail }). Sửa theo mẫu trong content/items/README.md.
err-bank-unknown-key = Khóa “{ $key }” không thuộc định dạng ngân hàng câu hỏi (có thể viết sai chính tả). Các khóa được dùng ở đây: { $allowed }.
err-bank-missing-key = Thiếu khóa “{ $key }”. Thêm dòng { $key } = … theo mẫu trong content/items/README.md.
err-bank-missing-key-for-type = Câu hỏi loại { $type } cần có khóa “{ $key }”. Thêm khóa này theo mẫu trong content/items/README.md.
err-bank-key-not-for-type = Câu hỏi loại { $type } không dùng khóa “{ $key }”. Bỏ dòng này, hoặc sửa loại câu hỏi (type) cho đúng.
err-bank-empty = Khóa “{ $key }” đang để trống. Viết nội dung cho khóa này.
err-bank-type-text = Giá trị của “{ $key }” phải là chữ đặt trong ngoặc kép, ví dụ { $key } = "…".
err-bank-type-texts = Giá trị của “{ $key }” phải là danh sách chữ trong ngoặc vuông, mỗi mục đặt trong ngoặc kép, ví dụ ["…", "…"].
err-bank-type-bool = Giá trị của “{ $key }” phải là true (đúng) hoặc false (sai), không có ngoặc kép.
err-bank-type-numbers = Giá trị của “{ $key }” phải là số thứ tự của phương án đúng (đếm từ 1), ví dụ 2, hoặc danh sách số như [1, 3].
err-bank-type-items = “{ $key }” phải là các câu hỏi, mỗi câu mở đầu bằng dòng [[item]].
err-bank-bad-competence = “{ $framework }:{ $competence }” không phải mã năng lực hợp lệ. Ghi framework là mã khung năng lực (ví dụ digcomp22) và competence là mã năng lực (ví dụ 1.1).
err-bank-bad-level = Mức “{ $level }” không hợp lệ. Ghi mức bằng chữ số trong ngoặc kép, ví dụ level = "2".
err-bank-pool-too-long = Tên nhóm câu hỏi (pool) dài quá { $max } ký tự. Rút gọn lại.
err-bank-file-name = Tệp “{ $file }” khai báo năng lực { $competence } mức { $level }, nên phải có tên “{ $expected }”. Đổi tên tệp hoặc sửa competence, level cho đúng ô của khung năng lực.
err-bank-file-folder = Tệp nằm trong thư mục “{ $folder }” nhưng khai báo khung năng lực “{ $framework }”. Chuyển tệp vào thư mục content/items/{ $framework }/ hoặc sửa framework cho đúng.
err-bank-no-items = Tệp chưa có câu hỏi nào. Thêm các câu hỏi, mỗi câu mở đầu bằng dòng [[item]].
err-bank-bad-code = Mã câu hỏi (code) chỉ gồm chữ thường không dấu a–z, chữ số và dấu gạch nối, không mở đầu hay kết thúc bằng dấu gạch nối, dài tối đa { $max } ký tự, ví dụ "tk2-01".
err-bank-code-twice = Mã câu hỏi này đã dùng cho một câu khác trong tệp. Đặt cho mỗi câu một mã riêng.
err-bank-bad-type = Không có loại câu hỏi “{ $type }”. Chọn một trong các loại: { $allowed }.
err-bank-bad-difficulty = Không có độ khó “{ $difficulty }”. Chọn easy (dễ), medium (trung bình) hoặc hard (khó).
err-bank-correct-one = Câu một lựa chọn (single_choice) có đúng một đáp án: ghi correct là một số, ví dụ correct = 2. Nếu có nhiều đáp án đúng, đổi type thành multiple_choice.
err-bank-correct-several = Câu nhiều lựa chọn (multiple_choice) ghi đáp án đúng là danh sách số, ví dụ correct = [1, 3]. Nếu chỉ có một đáp án đúng, đổi type thành single_choice.
err-bank-correct-range = Không có phương án số { $correct }: câu hỏi có { $n } phương án, đánh số từ 1 đến { $n }. Sửa correct cho đúng.
err-bank-correct-twice = Phương án số { $correct } được ghi hai lần trong đáp án đúng. Ghi mỗi số một lần.
err-bank-option-count = Câu hỏi lựa chọn có { $n } phương án; cần từ { $min } đến { $max } phương án.
err-bank-step-count = Câu hỏi sắp xếp có { $n } bước; cần từ { $min } đến { $max } bước.
err-bank-pair-count = Câu hỏi ghép nối có { $n } cặp; cần từ { $min } đến { $max } cặp.
err-bank-bad-picture = Tên ảnh “{ $picture }” không hợp lệ. Ghi tên một tệp trong thư mục media/ của ngân hàng câu hỏi, chỉ gồm chữ thường không dấu, chữ số, dấu gạch nối và đuôi .png, .jpg, .jpeg hoặc .webp, ví dụ "tin-nhan.png".
