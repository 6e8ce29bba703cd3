# Câu hỏi của ngân hàng câu hỏi (issue 10): lỗi khi soạn hoặc nhập.
err-item-no-correct = Câu hỏi chưa có đáp án đúng. Đánh dấu phương án đúng (với câu nhiều lựa chọn: ít nhất một phương án).
err-item-all-correct = Mọi phương án của câu hỏi đều được đánh dấu đúng, nên câu hỏi không kiểm tra được gì. Bỏ đánh dấu ở các phương án sai.
err-item-option-count = Câu hỏi có { $n } phương án; cần từ 2 đến { $max } phương án.
err-item-no-vi = Câu hỏi chưa có bản tiếng Việt. Viết bản tiếng Việt trước; các ngôn ngữ khác dịch từ bản đó.
err-item-lang-twice = Câu hỏi có hai bản “{ $lang }”. Giữ một bản.
err-item-no-stem = Bản “{ $lang }” của câu hỏi chưa có nội dung câu hỏi.
err-item-no-explanation = Bản “{ $lang }” của câu hỏi chưa có lời giải thích. Viết vì sao đáp án đúng là đúng: người học đọc lời này sau khi trả lời.
err-item-options-differ = Bản “{ $lang }” có { $theirs } phương án, câu hỏi có { $mine }. Mọi ngôn ngữ phải có cùng các phương án, theo cùng thứ tự.
err-item-matches-differ = Bản “{ $lang }” có { $theirs } mục ở cột ghép, cần { $mine } (mỗi mục bên trái ghép với đúng một mục bên phải).
err-item-empty-option = Bản “{ $lang }” có một phương án để trống. Viết nội dung hoặc bỏ phương án đó.
err-item-same-option = Bản “{ $lang }” có hai phương án giống nhau: “{ $text }”. Sửa để các phương án khác nhau.
err-item-too-long = { $field } dài quá { $max } ký tự. Rút gọn lại.
field-item-stem = Nội dung câu hỏi
field-item-option = Một phương án
field-item-explanation = Lời giải thích
