# Officer pages: confirming what cannot be undone, filters and paging, choosing a unit by search.

choose = Choose
cancel = Cancel, go back
prev-page = Previous page
pages-label = Pages
confirm-what-happens = What this will do
unit-search-help = Type a name (with or without diacritics) or a unit code.
unit-search-none = No unit matches. Type fewer letters or check the code.

merge-start = Merge this unit into another…
merge-title = Merge
merge-intro = Choose the unit of the same level that will take in this one. The next step says what the merge does and asks you to confirm; nothing changes at this step.
merge-search-label = Find the receiving unit
merge-no-siblings = This unit has no unit of the same level to merge into.
merge-what-happens = What the merge will do
merge-absorbed = Unit merged away:
merge-into = Receiving unit:
merge-will-people = { $count } residents of { $from } (including its villages and residential groups) will move to { $into }; their records stay as they are.
merge-will-children = { $count } villages, residential groups and organisations under { $from } will move under { $into }, keeping their names and codes.
merge-will-denominators = The denominators (people to reach) of { $from } will be added to those of { $into }, year by year and kind by kind; { $from } keeps its old figures as history.
merge-will-inactive = { $from } will become inactive: no longer listed and taking no new residents; its page keeps only its history and a link to { $into }.
merge-will-grants = { $count } roles granted on { $from } do not move to { $into }: their holders will no longer see the residents who moved. Grant roles on { $into } again if needed.
merge-will-final = A merge cannot be undone on this page. Splitting again means creating a new unit and moving each village or residential group.
merge-confirm-box = I have read this and confirm the merge
merge-confirm-button = Merge
merge-choose-other = Choose another unit
merge-not-confirmed = Not merged: the confirmation box was not ticked. Read again and tick it to go on.

people-total = Total: { $count } people
people-total-not-counted = This unit has more than { $count } people, so a group is not counted; choose a commune or village for the total.
people-total-more = More than { $count } people match; type a fuller name to narrow it down.
filter-all-villages = All villages and residential groups
filter-all-groups = All target groups

reset-will-new = A new temporary password will be made for { $name } and shown only once, on the next page.
reset-will-old-stops = The password { $name } uses now will no longer sign in.
reset-will-sessions = { $name } will be signed out everywhere.
reset-will-change = { $name } must change the temporary password at the next sign-in.
reset-will-create = A new account will be made for { $name }, signing in with the personal ID number (and the phone number if no other account uses it) and a temporary password shown only once, on the next page.
reset-in-person = Do this only with the resident in front of you and their identity checked. It is recorded in the audit log.
reset-confirm-box = The resident is here and I confirm issuing a temporary password
reset-confirm-button = Issue a temporary password
reset-not-confirmed = No password issued: the confirmation box was not ticked. The old password still works.

access-step-unit = Step 1: choose the unit
access-step-person = Step 2: who gets the role, and which role
access-unit-search = Find a unit
access-unit-help-scope = Only units inside your own scope are listed. A role applies to the unit and every unit below it.
access-unit-results = Units found
access-unit-change = Choose another unit
err-access-unit-choose = No unit chosen, or the chosen unit no longer exists. Find and choose the unit again in step 1.

audit-filter = Filter the log
audit-all-actions = Every action
audit-person = Resident
audit-person-help = Name (with or without diacritics) or phone number.
audit-actor-help = Name or phone number of who did it.
audit-from-date = From
audit-to-date = To
audit-apply = Filter
audit-clear = Clear filters
audit-none = No log entries match.
audit-newer = Newer entries
audit-older = Older entries
audit-person-hidden = Resident no. { $id } (outside what you may see)
audit-account-hidden = Account no. { $id }
audit-import-job = Import no. { $id }
audit-err-action = The action to filter by is not valid; choose one from the list.
audit-err-person-id = The log is not filtered by ID number. Search by name or phone number.
audit-err-range = “To” must be on or after “From”; the date filter was dropped.
