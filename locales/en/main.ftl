## Field names
field-full_name = Full name
field-birth_date = Date of birth
field-sex = Sex
field-personal_id = Personal ID number
field-phone = Phone number
field-groups = Target group
field-village = Village/residential group
field-household = Household
field-workplace = Workplace
field-name = Name
field-code = Code
field-password = Password
field-login = Phone or personal ID number
field-source = Source
field-value = Value
field-year = Year
field-note = Note

## Input errors
err-text-empty = { $field } must not be empty. Please enter { $field }.
err-text-too-long = { $field } is { $len } characters long, more than the maximum of { $max }. Please shorten it.
err-text-control = { $field } contains an unprintable control character ({ $code }). Please retype it.
err-date-form = { $field } “{ $value }” is not a date. Please write day/month/year, e.g. 14/03/1985.
err-date-invalid = { $field } “{ $value }” is not a real calendar date (there is no 31/02, for example). Please check day and month.
err-date-future = { $field } cannot be after today. Please check the year.
err-date-too-old = { $field } is more than 130 years ago. Please check the year.
err-sex = Sex “{ $value }” is not valid. Please write “Nam” (male) or “Nữ” (female).
err-phone = Phone number “{ $value }” is not valid. Please enter 10 digits starting with 0, e.g. 0912345678.
err-group-unknown = Target group “{ $value }” is unknown. Use: public staff; students; workers; residents.
err-pid-empty = The personal ID number is missing. Please enter the 12 digits printed on the ID card.
err-pid-not-digit = A personal ID number has only digits, but this one contains “{ $char }”. Please remove it.
err-pid-length = A personal ID number has exactly 12 digits; this one has { $len }. Please check it against the ID card.
err-pid-province = The first three digits “{ $code }” are not the code of any province of birth registration. Please check the ID card.
err-pid-sex = The fourth digit “{ $digit }” does not match the sex entered (even is male, odd is female). Please check the sex or the number.
err-pid-century = The fourth digit “{ $digit }” does not match the birth year { $year } (0, 1: born 1900–1999; 2, 3: born 2000–2099). Please check.
err-pid-year = Digits 5–6 “{ $digits }” must be the last two digits of the birth year { $year }. Please check the birth date or the number.
err-pid-duplicate = Another person already has this ID number. Each person has one record; find the existing one instead.
err-count = “{ $value }” is not a valid count. Please enter a whole number of zero or more, e.g. 1250.
err-year = Year “{ $value }” is not valid. Please enter a year from 2020 to 2100.
err-password-short = The password must have at least { $min } characters.
err-password-long = The password must not be longer than { $max } characters.
err-password-mismatch = The two new passwords differ. Please type them again.

## File errors
err-file-empty = The file is empty (0 bytes). Please choose the saved list.
err-file-no-header = No header row found in the first 20 rows. The file needs a header such as: Họ và tên, Ngày sinh, Giới tính, Số định danh.
err-file-missing-columns = Required columns are missing: { $columns }. Please add them to the header row.
err-file-encoding = The file's text encoding could not be read. Please save it as CSV UTF-8 or XLSX.
err-file-binary = The file is not a CSV or XLSX spreadsheet. Please choose a .csv or .xlsx file.
err-file-csv = The CSV file is broken at line { $line } (an unclosed quote). Please fix that line or save the file again from Excel.
err-file-xlsx = The XLSX file cannot be opened (damaged or not Excel). Please open it in Excel and save it as .xlsx again.
err-file-too-large = The file is too large (at most { $max } MB). Please split the list into smaller files.
err-import-duplicate-in-file = This ID number already appears on line { $first } of the same file. Please delete one of the two lines.
err-import-village = No village/residential group “{ $value }” in this commune. Create it first or correct the name.
err-import-other-unit = The person with this ID number lives in a unit outside your scope. Please ask that unit to transfer the record.
