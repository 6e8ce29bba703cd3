# What one import file may cost (crates/core/src/xlsx.rs), and imports stopped half-way.
err-xlsx-too-large = The XLSX file unpacks to more than { $max } MB, too large for a list. Delete extra sheets, pictures and empty rows, or split the list into smaller files.
err-xlsx-ratio = The XLSX file is compressed abnormally (a part of it unpacks to more than { $ratio } times its size); real lists are not. Open it in Excel, copy the list alone into a new file and save that.
err-xlsx-too-many-parts = The XLSX file has too many parts (more than { $max }). Copy the list alone into a new Excel file and upload that.
err-xlsx-too-many-strings = The XLSX file has more than { $max } distinct text values, too many for a list. Split the list into smaller files.
err-xlsx-element-too-long = The XLSX file holds a single run of data longer than { $max } MB; real lists do not. Open it in Excel, copy the list alone into a new file and save that.
err-import-too-many-rows = The file has more than { $max } rows with data. Split the list into smaller files and delete extra rows at the end of the table.
err-import-row-too-far = The file has a cell on row { $row }, past the last row a spreadsheet can have ({ $max }). Open it in Excel, delete the extra rows at the end of the table and save.
err-import-too-many-columns = Cell { $cell } holds data but lies past column { $max }; a list has no such columns. Clear the extra cells to the right of the table (from { $cell }) and save.
err-import-too-many-cells = The file has more than { $max } cells of data. Delete columns and rows that are not needed, or split the list into smaller files.
err-import-too-much-text = The text of the file adds up to more than { $max } MB. Delete columns that are not needed or split the list into smaller files.
err-import-cell-too-long = A cell of the file is longer than { $max } characters, past what a spreadsheet cell can hold. Open it in Excel, fix that cell and save.
err-import-crashed-twice-checking = This file stopped the server twice while being checked, so it was stopped for good and removed from the server, so that it does not interrupt anyone else. Check the file (open it in Excel, copy the list alone into a new file and save) and upload it again; if it still fails, send it to the administrator.
err-import-crashed-twice-applying = This file stopped the server twice while being imported, so it was stopped for good and removed from the server, so that it does not interrupt anyone else. What was imported before is kept. Check the file (open it in Excel, copy the list alone into a new file and save) and upload it again; if it still fails, send it to the administrator.
import-errors-unstored = … and { $count } more problems not stored (only the first { $stored } are kept). Fix the ones above and upload the file again to see the rest.
err-upload-reader-busy = The server is reading another file, so it could not read yours; your file was not kept and nothing changed. Please send the file again in a minute.
