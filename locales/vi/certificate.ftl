# Giấy chứng nhận dưới dạng chứng nhận số có chữ ký số (Verifiable Credential, Open Badges 3.0).
certificate-vc-not-json = Tệp này không phải là JSON hợp lệ nên không thể là chứng nhận số.
certificate-vc-not-credential = Tệp này không phải là chứng nhận số (Verifiable Credential) do hệ thống cấp.
certificate-vc-no-proof = Chứng nhận không có chữ ký số (thiếu phần "proof"), nên không thể xác minh.
certificate-vc-wrong-cryptosuite = Chứng nhận được ký theo cách khác ({ $found }); hệ thống chỉ chấp nhận chữ ký eddsa-rdfc-2022.
certificate-vc-bad-proof = Phần chữ ký số của chứng nhận bị hỏng hoặc không đúng định dạng.
certificate-vc-other-issuer = Chứng nhận do một đơn vị khác cấp ({ $found }), không phải hệ thống này.
certificate-vc-unknown-key = Chứng nhận được ký bằng một khóa mà đơn vị cấp không công bố ({ $found }).
certificate-vc-signature-mismatch = Chữ ký số không khớp với nội dung: chứng nhận đã bị sửa đổi sau khi cấp.
certificate-vc-unsupported-context = Chứng nhận dùng ngữ cảnh JSON-LD không được hỗ trợ ({ $url }); hệ thống không tải ngữ cảnh từ bên ngoài.
certificate-vc-bad-base-url = Địa chỉ gốc của hệ thống "{ $url }" không dùng được để tạo định danh did:web: cần dạng https://tên-miền hoặc https://tên-miền:cổng, không có đường dẫn.
certificate-vc-bad-verify-url = Địa chỉ xác minh "{ $url }" phải là địa chỉ web kết thúc bằng /xac-minh/{ $code }.
certificate-vc-bad-status-index = Vị trí { $index } vượt quá kích thước danh sách trạng thái (131072 mục).
certificate-vc-internal = Không tạo được chứng nhận số do lỗi nội bộ: { $error }
certificate-vc-undefined-term = Chứng nhận có trường "{ $term }" không được định nghĩa trong ngữ cảnh JSON-LD, nên chữ ký không bảo đảm cho trường này; chứng nhận bị từ chối.
