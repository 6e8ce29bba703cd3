## Nhập danh sách người dân: những gì một tệp thật cần
audit-person-import_create = Tạo hồ sơ khi nhập danh sách
audit-person-import_update = Cập nhật hồ sơ khi nhập danh sách
