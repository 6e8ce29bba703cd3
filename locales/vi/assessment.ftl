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
field-item-picture-alt = Lời mô tả ảnh
err-item-no-picture-alt = Bản “{ $lang }” của câu hỏi chưa có lời mô tả ảnh. Viết ảnh cho thấy gì, cho người không xem được ảnh (người khiếm thị dùng trình đọc màn hình).
# Nhập ngân hàng câu hỏi từ tệp (GIFT, Moodle XML): lỗi của tệp hoặc của một câu hỏi.
err-import-too-big = Tệp lớn hơn { $max } MB nên không được đọc. Chia ngân hàng câu hỏi thành nhiều tệp nhỏ hơn rồi nhập từng tệp.
err-import-too-many = Tệp có { $n } câu hỏi, nhiều hơn { $max } câu được nhập một lần. Chia thành nhiều tệp rồi nhập từng tệp.
err-import-not-utf8 = Tệp không phải văn bản UTF-8 (lỗi ở dòng { $line }). Mở tệp bằng trình soạn thảo, lưu lại với bảng mã UTF-8 rồi nhập lại.
err-import-essay = Câu hỏi tự luận không được hỗ trợ: phần trả lời trong ngoặc {"{"} {"}"} để trống. Chuyển thành câu hỏi có phương án để chọn, hoặc bỏ câu này khỏi tệp.
err-import-numerical = Câu hỏi trả lời bằng số không được hỗ trợ. Chuyển thành câu hỏi có phương án để chọn, hoặc bỏ câu này khỏi tệp.
err-import-short-answer = Câu hỏi trả lời ngắn (người học tự gõ đáp án) không được hỗ trợ: mọi đáp án đều bắt đầu bằng dấu =. Thêm các phương án sai bắt đầu bằng dấu ~ để thành câu hỏi chọn đáp án, hoặc bỏ câu này.
err-import-description = Đoạn này không có phần trả lời trong ngoặc {"{"} {"}"} nên là phần mô tả, không phải câu hỏi, và không được nhập. Thêm phần trả lời, hoặc bỏ đoạn này khỏi tệp.
err-import-fractions = Tỉ lệ điểm của các đáp án đúng cộng lại được { $sum }%, cần đúng 100%. Sửa các tỉ lệ (ví dụ hai đáp án đúng: %50% mỗi đáp án).
err-import-matching-extra = Câu hỏi ghép đôi có một mục bên phải không ghép với mục nào bên trái; loại câu này không được hỗ trợ. Ghép mỗi mục bên phải với một mục bên trái, hoặc bỏ mục thừa.
err-gift-no-explanation = Câu hỏi chưa có lời giải thích. Thêm phản hồi chung “####…” ngay trước dấu {"}"} đóng, nói vì sao đáp án đúng là đúng: người học đọc lời này sau khi trả lời.
err-gift-unclosed-title = Tên câu hỏi bắt đầu bằng :: nhưng không có :: đóng. Thêm :: sau tên câu hỏi.
err-gift-unclosed-brace = Phần trả lời mở bằng {"{"} nhưng không có {"}"} đóng (hoặc có một dòng trống giữa hai ngoặc). Thêm {"}"} sau đáp án cuối cùng và bỏ dòng trống bên trong.
err-gift-brace-inside = Trong phần trả lời có thêm một dấu {"{"}. Nếu đó là chữ trong đáp án, viết \{"{"}; nếu không, thêm {"}"} đóng cho phần trả lời trước.
err-gift-two-answer-blocks = Câu hỏi có nhiều hơn một phần trả lời trong ngoặc {"{"} {"}"} (hoặc một dấu {"}"} thừa). Giữ một phần trả lời; dấu ngoặc trong câu chữ thì viết \{"{"} và \{"}"}.
err-gift-bad-answers = Không đọc được phần trả lời: mỗi đáp án phải bắt đầu bằng = (đúng) hoặc ~ (sai), hoặc cả phần là T hay F cho câu đúng/sai. Sửa phần trả lời theo mẫu {"{"}=đáp án đúng ~đáp án sai{"}"}.
err-gift-bad-weight = Tỉ lệ điểm “{ $weight }” không hợp lệ. Viết một số từ -100 đến 100 giữa hai dấu %, ví dụ ~%50%.
err-gift-bad-matching = Câu hỏi ghép đôi phải có mọi dòng dạng =mục trái -> mục phải. Sửa các dòng còn lại theo mẫu đó.
err-gift-media = Câu hỏi có hình ảnh hoặc âm thanh, nhưng tệp GIFT không chứa được tệp ảnh hay âm thanh nên câu hỏi sẽ thiếu nội dung. Xuất câu hỏi này dạng Moodle XML (có kèm tệp) rồi nhập lại, hoặc bỏ ảnh khỏi câu hỏi và thêm ảnh sau khi nhập.
# Nhập ngân hàng câu hỏi từ tệp Moodle XML (issue 10 §1).
err-moodle-too-big = Tệp lớn quá { $max } MB. Chia ngân hàng câu hỏi thành nhiều tệp nhỏ hơn (xuất từng danh mục trong Moodle) rồi nhập lần lượt.
err-moodle-too-many = Tệp có { $n } câu hỏi, nhiều hơn giới hạn { $max } câu. Chia thành nhiều tệp (xuất từng danh mục trong Moodle) rồi nhập lần lượt.
err-moodle-not-utf8 = Tệp không phải văn bản UTF-8 (có thể đã bị hỏng hoặc lưu bằng bảng mã khác). Xuất lại tệp từ Moodle ở định dạng “Moodle XML” và nhập tệp vừa xuất.
err-moodle-malformed = Tệp không phải XML hợp lệ từ dòng này (thẻ mở thiếu thẻ đóng, ký tự lạ hoặc tệp bị cắt cụt). Xuất lại tệp từ Moodle ở định dạng “Moodle XML”.
err-moodle-doctype = Tệp có khai báo <!DOCTYPE>; tệp Moodle XML không có khai báo này và hệ thống không đọc tệp có nó. Xuất lại tệp từ Moodle ở định dạng “Moodle XML”.
err-moodle-too-deep = Tệp lồng thẻ sâu quá { $max } tầng; tệp Moodle XML không lồng sâu như vậy. Xuất lại tệp từ Moodle ở định dạng “Moodle XML”.
err-moodle-not-quiz = Tệp không phải ngân hàng câu hỏi Moodle XML (thẻ ngoài cùng phải là <quiz>). Trong Moodle, vào Ngân hàng câu hỏi → Xuất, chọn định dạng “Moodle XML”.
err-moodle-unsupported-type = Câu hỏi loại “{ $type }” chưa nhập được; chỉ nhập được câu nhiều lựa chọn, đúng/sai, ghép nối và sắp xếp thứ tự. Viết lại câu hỏi thành một trong các loại đó, hoặc bỏ qua câu này.
err-moodle-partial-credit = Câu một đáp án có phương án được một phần điểm; ở đây mỗi phương án chỉ đúng (100%) hoặc sai. Trong Moodle, đặt 100% cho phương án đúng và 0% (hoặc điểm âm) cho các phương án khác.
err-moodle-several-correct = Câu một đáp án có { $n } phương án được 100%. Giữ một phương án đúng, hoặc chuyển câu hỏi thành “nhiều đáp án”.
err-moodle-fractions-sum = Các phương án đúng của câu nhiều đáp án cộng lại được { $sum }%, cần đúng 100%. Sửa điểm từng phương án trong Moodle cho đủ 100%.
err-moodle-matching-distractor = Câu ghép nối có { $n } mục thừa ở cột phải (không ghép với mục nào); ở đây mỗi mục bên trái ghép với đúng một mục bên phải. Bỏ các mục thừa trong Moodle rồi xuất lại.
err-moodle-file-kind = Tệp đính kèm “{ $name }” không phải ảnh (PNG, JPEG, GIF, WebP) hay bản ghi âm, nên không được nhập; câu hỏi vẫn được nhập, không có tệp này. Đổi tệp sang một trong các định dạng đó nếu câu hỏi cần nó.
err-moodle-audio-not-kept = Tệp âm thanh “{ $name }” ({ $kind }) không được nhập: ngân hàng câu hỏi chưa có chỗ cho âm thanh (mỗi câu chỉ kèm một ảnh). Câu hỏi vẫn được nhập, không có tệp này; kiểm tra để đề bài tự đủ ý khi không nghe được.
err-moodle-file-damaged = Tệp đính kèm “{ $name }” bị hỏng (dữ liệu base64 không đọc được), nên không được nhập; câu hỏi vẫn được nhập, không có tệp này. Xuất lại tệp từ Moodle.
err-moodle-extra-picture = Câu hỏi có nhiều hơn một ảnh; chỉ giữ ảnh đầu tiên, ảnh “{ $name }” không được nhập. Gộp thành một ảnh nếu câu hỏi cần cả hai.
err-moodle-too-many-elements = Tệp có hơn { $max } thẻ XML, nhiều hơn một ngân hàng câu hỏi thật cần. Chia thành nhiều tệp (xuất từng danh mục trong Moodle) rồi nhập lần lượt.
