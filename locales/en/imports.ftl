## Importing people: what real lists need
audit-person-import_create = Record created by an import
audit-person-import_update = Record updated by an import
