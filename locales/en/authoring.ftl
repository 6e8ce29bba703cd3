# Authoring: the author's desk, the lesson editor, review and publishing.
nav-author = Authoring
author-title = Authoring
author-lead = Edit a lesson as a draft, send it for review, and another person publishes it as a new version. Learners' progress is kept.
author-waiting = Waiting for review
author-waiting-none = Nothing is waiting for review.
author-lang = Language
author-sent-by = Sent by
author-sent-at = Sent at
author-own = sent by you; someone else must review it
author-courses = Courses you may edit
author-courses-none = No course is assigned to you yet. Courses of the units where you hold the author role appear here.
author-drafts = { $n ->
    [one] { $n } draft
   *[other] { $n } drafts
}
author-see-as-learner = See as a learner
author-lessons = The course's lessons
author-lesson = Lesson
author-version = Published version
author-drafts-h = Drafts
author-edit = Edit lesson
author-draft = Draft
author-saved-by = Last saved by
author-no-draft = No draft yet: the fields below hold the published text.
author-saved = Draft saved. Learners keep reading the published version until the draft is published.
author-stale = A newer version of this lesson was published after this draft was started. Open "See as a learner" to compare, bring the draft in line and save it again before sending it for review.
author-stored-h = The draft as stored
field-authoring-title = Lesson title
field-authoring-body = Lesson text
field-authoring-checklist = Practice steps
field-authoring-note = Note for the author
field-authoring-revision = Draft revision
author-body-help = Write in Markdown: ## for a section heading, - for a list, [text](https://address) for a link. No HTML and no images here.
author-checklist-help = One step per line that learners do and tick, e.g. Open the VNeID app. Leave empty if the lesson has no practice.
author-preview = Preview
author-save = Save draft
author-preview-h = Preview (not saved)
author-submit = Send for review
author-submit-help = Another author or the steering committee then publishes it or returns it with a note.
author-review-h = Review
author-publish = Publish as a new version
author-publish-help = Learners read this text at once; lessons they completed stay completed.
author-return = Return for changes
author-waiting-other = This draft is waiting for someone else to review it. Whoever sends a draft for review cannot publish it.
draft-state-draft = Being written
draft-state-review = In review
err-authoring-body-empty = The lesson text is empty. Write the lesson, starting with a ## heading.
err-authoring-body-too-big = The lesson text is { $size } KB, at most { $max } KB. Move part of it into another lesson.
err-authoring-at-line = Line { $line }: { $problem }
err-authoring-conflict = Someone else saved, sent or published this lesson while you were editing, so your text was not saved. What you typed is still in the fields below; the stored draft is shown above to compare. Merge the two and press "Save draft".
err-authoring-stale = A newer version of the lesson was published since this draft was started, so it cannot be published. Return it so its author compares it with the new version and saves again.
err-authoring-own-draft = You wrote or sent this draft. Someone else must review and publish it.
err-authoring-revision = The form lacks the draft's revision number. Open the editor again and retry.
audit-lesson-draft_save = Saved a lesson draft
audit-lesson-submit = Sent a lesson for review
audit-lesson-publish = Published a new version of a lesson
audit-lesson-return = Returned a lesson draft
# Course packages: download, upload, send a course for review and publish it.
author-package-download = Download the course package (.zip)
author-import-h = Upload a course package
author-import-lead = Upload a course's .zip file (for example a package another province shared). A new course is stored as a draft of your unit; a course you already edit is updated and learners' progress is kept.
author-import-unit = Unit that owns the course
author-import-file = Course package (.zip)
author-import-help = A .zip with course.toml and the lessons NN-lesson-name.md, at most { $n } MB.
author-import-send = Upload
author-import-refused = { $n ->
    [one] The package was not stored because of { $n } problem. Fix it and upload again.
   *[other] The package was not stored because of { $n } problems. Fix them and upload again.
}
author-course-submit = Send the course for review
author-course-submit-help = Learners do not see the course yet. Once sent, another person who may publish reviews and publishes it.
author-course-publish = Publish the course
author-course-publish-help = Learners will see the course and may enrol at once.
author-course-waiting = The course is waiting for another person to review and publish it.
err-authoring-in-file = File { $file }: { $problem }
err-authoring-in-file-at-line = File { $file }, line { $line }: { $problem }
err-authoring-package-empty = The uploaded file is empty (0 bytes). Choose the course's .zip file and upload again.
err-authoring-package-no-file = No file chosen. Choose the course's .zip file and press “Upload”.
err-authoring-package-too-large = The package is too large (at most { $n } MB). Remove files that are not part of the course, or split it into several courses.
err-authoring-package-language = A course's original language must be Vietnamese (language = "vi" in course.toml); the package says “{ $lang }”. Put the Vietnamese text at the top and translations in en/, jra/ or bdq/.
err-authoring-package-slug-reserved = The course code “{ $slug }” is the name of a page of the platform. Change the slug in course.toml.
err-authoring-package-lesson-reserved = The lesson name “{ $slug }” is the name of an action of the authoring pages. Rename the lesson file (the part after its number).
err-authoring-package-taken = A course with the code “{ $slug }” belongs to a unit you may not author, so the package was not stored. Change the slug in course.toml and upload again, or ask an author of that unit to update it.
err-authoring-course-not-draft = Only a draft course can be sent for review; this one has been sent already or is published. Reload the page to see its status.
err-authoring-course-not-review = The course is not waiting for review, so it cannot be published. Reload the page to see its status; a draft course must be sent for review first.
err-authoring-own-course = You sent this course for review. Another person who may publish must review and publish it.
audit-course-import = Uploaded a course package
audit-course-submit = Sent a course for review
audit-course-publish = Published a course
