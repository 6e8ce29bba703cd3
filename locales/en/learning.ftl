## Learning content: digital-competence frameworks, requirements per target group, courses and lessons
content-lang-vi = Vietnamese
content-lang-en = English
content-lang-jra = Jrai
content-lang-bdq = Bahnar

# Names of the fields of the content files, used in error messages ({ $field })
field-learning-title = Title
field-learning-title-en = English title
field-learning-summary = Summary
field-learning-source = Source
field-learning-source-note = Note on sources
field-learning-issued-by = Issued by
field-learning-version = Version
field-learning-name = Name
field-learning-name-en = English name
field-learning-description = Description
field-learning-note = Note
field-learning-module-title = Module title
field-learning-modules = Modules
field-learning-body = Lesson text
field-learning-checklist = Practice steps
field-learning-checklist-item = Practice step
field-learning-competences = Competences
field-learning-minutes = Duration
field-learning-level = Level

# Reading files
err-learning-toml = The declaration is not written correctly (technical detail: { $detail }). Fix the line shown, following the template in the content guide (content/README.md).
err-learning-not-utf8 = The file is not UTF-8 text. Open it in a text editor and save it again with the UTF-8 encoding.
err-learning-control-char = The file contains the control character { $code }, which is not allowed. Delete it (it often comes in when copying from other software).
err-learning-file-too-large = The file is { $size } bytes, over the limit of { $max } bytes. Shorten it or split the lesson into shorter lessons.
err-learning-package-too-large = The content package is { $size } bytes, over the limit of { $max } bytes. Remove files that are not needed or split it into several courses.
err-learning-too-many-files = The package has { $count } files, over the limit of { $max }. Keep only course.toml, the lesson files and their translations.
err-learning-too-many-lessons = The course has { $count } lessons, over the limit of { $max }. Split it into several courses.
err-learning-too-many = “{ $field }” has more than { $max } entries. Remove some so that at most { $max } remain.
err-learning-path-unsafe = The path “{ $path }” is not allowed. A file name must be a plain name inside the course folder (for example 01-lesson-name.md or en/01-lesson-name.md): no “..”, no leading “/”, no “\”, drive letter or colon. Rename the file or remove it from the package.
err-learning-file-unexpected = The file “{ $path }” is not part of a course. A package holds only course.toml, lessons named NN-lesson-name.md and translations named <language code>/NN-lesson-name.md. Remove this file from the package.
err-learning-lang-unknown = The folder “{ $value }” is not a supported content language code (en, vi, jra, bdq). Translations go in a folder named by the lower-case language code; rename or remove this folder.
err-learning-package-not-zip = The uploaded file is not a .zip content package, or it is damaged. Compress the course folder into one .zip file and upload it again.
err-learning-package-too-many-entries = The package has too many entries (at most { $max } files, with the folders holding them). Keep only course.toml, the lesson files and their translations.
err-learning-package-duplicate = The package has more than one entry named “{ $path }”. Keep only one file with this name.
err-learning-package-encrypted = The entry “{ $path }” is protected by a password and cannot be read. Compress the course folder again without a password.
err-learning-package-symlink = The entry “{ $path }” is a link (symlink), not a file. Replace the link with the file itself or remove it from the package.
err-learning-package-not-file = The entry “{ $path }” is not a regular file (for example a device or a pipe). Remove it from the package.
err-learning-package-outside-folder = The file “{ $path }” is outside the course folder “{ $folder }”. Put every file in the same folder, or compress the files without a folder.
err-learning-package-entry-unreadable = The entry “{ $path }” cannot be read: it is damaged or compressed in an unsupported way. Compress the course folder again with ordinary (Deflate) compression and upload it again.
err-learning-package-entry-too-large = The file “{ $path }” inflates to more than the limit of { $max } bytes. Shorten it or split the lesson into shorter lessons.
err-learning-package-inflated-too-large = The package inflates to more than the limit of { $max } bytes. Remove files that are not needed or split it into several courses.

# Course (course.toml)
err-learning-course-missing = The package has no course.toml. Add the course declaration at the top of the package.
err-learning-course-slug = The course code “{ $value }” is not valid. Use only lower-case letters a–z without diacritics, digits and hyphens, for example nhan-biet-lua-dao.
err-learning-text-empty = “{ $field }” is empty. Fill it in.
err-learning-text-line = “{ $field }” must be one line, without line breaks or control characters. Write it as one line.
err-learning-text-control = “{ $field }” contains a control character, which is not allowed. Delete it.
err-learning-text-too-long = “{ $field }” is { $len } characters long; the maximum is { $max }. Shorten it.
err-learning-language-unknown = The language “{ $value }” is not supported. Use one of the codes vi (Vietnamese), en (English), jra (Jrai), bdq (Bahnar).
err-learning-group-unknown = There is no target group “{ $value }”. Use one of the codes public_staff (public officials and employees), student (pupils and students), worker (workers), resident (residents).
err-learning-group-duplicate = The target group “{ $value }” is listed twice. Remove one.
err-learning-groups-empty = The course names no target group. Add at least one, for example groups = ["resident"].
err-learning-competence-ref = The competence “{ $value }” is not written as framework-code:competence-code. Write it again, for example digcomp22:4.1.
err-learning-competence-duplicate = The competence { $value } is listed twice. Remove one.
err-learning-level = The level “{ $value }” is not valid. Write a level code of the framework, for example level = "1".
err-learning-modules-empty = The course has no module. Add at least one [[modules]] entry with a title and a list of lessons.
err-learning-module-empty = The module “{ $module }” has no lesson. Add lesson file names to its lessons or remove the module.
err-learning-lesson-name = The lesson file name “{ $file }” does not follow the pattern NN-lesson-name.md (two digits, a hyphen, then lower-case letters without diacritics, digits and hyphens). Rename the file, for example 01-dang-nhap.md.
err-learning-lesson-missing = The module “{ $module }” lists the lesson { $file } but the package has no such file. Add the file or remove the lesson from the list.
err-learning-lesson-unlisted = The package has the lesson file { $file } but no module lists it. Add the file name to a module's lessons or remove the file from the package.
err-learning-lesson-listed-twice = The lesson { $file } is listed twice. Each lesson belongs to one module and is listed once.
err-learning-lesson-order = The lesson { $file } is listed after { $previous } but has a lower number. List the lessons in file-name order or renumber the files.
err-learning-lesson-slug-duplicate = Two lesson files have the same name “{ $slug }”, differing only in their number. Rename one of them.

# Lessons and translations
err-learning-front-matter = A lesson must start with a line +++, then its declaration (title, minutes, level…), then another line +++ before the text. Add the missing +++ lines.
err-learning-body-empty = The lesson has no text after its declaration. Write the lesson, starting with a ## heading.
err-learning-minutes = A duration of { $value } minutes is not valid: a lesson takes from 1 to 60 minutes. Correct the minutes or split a long lesson into several.
err-learning-markdown-html = The lesson contains HTML, which will not be shown. Use Markdown only: ## headings, lists, bold, quotes, inline code, links.
err-learning-markdown-image = A picture in a lesson must be an image uploaded to the course; a picture from elsewhere shows only its description. Upload it under “Course images and files” and copy the line ![description](media/image-name.jpg) the page gives you.
err-learning-markdown-image-alt = The picture has no description. Write what it shows in the square brackets, for example ![VNeID sign-in screen](media/vneid.jpg), so screen-reader users and people on slow connections understand it.
err-learning-markdown-media-missing = The course has no file “{ $name }”. Upload it under “Course images and files”, or correct the name to one in the list.
err-learning-markdown-media-not-image = “{ $name }” is a file to download, not a picture, so it cannot be shown as one. Use a link [file name]({ $name }) without the ! in front.
err-learning-markdown-link = The link “{ $url }” is not allowed and would be shown as plain text. Use only addresses starting with https://, http://, mailto: or tel:, or a path within the site (for example #section-1), written without spaces.
err-learning-translation-same-lang = The translation folder “{ $lang }” is the course's own language. Lessons in the course's language go at the top of the package; remove this folder.
err-learning-translation-orphan = There is a “{ $lang }” translation of the lesson { $file }, but the package has no such lesson. Add the original lesson or remove the translation.
err-learning-translation-mismatch = The translation gives “{ $field }” differently from the original lesson. Make it the same as the original or remove the line from the translation.
err-learning-translation-checklist = The translation has { $count } practice steps, the original lesson has { $expected }. Translate every step, in the original's order.

# Frameworks, requirements per target group, mappings
err-learning-framework-id = The framework code “{ $value }” is not valid. Use only lower-case letters a–z without diacritics, digits and hyphens, for example digcomp22.
err-learning-code = The code “{ $value }” is not valid. Codes of levels, areas and competences hold only letters without diacritics, digits and dots, for example 4.1 or P1.1.
err-learning-framework-no-levels = The framework has no level. Add at least one [[levels]] entry.
err-learning-framework-no-areas = The framework has no area. Add at least one [[areas]] entry.
err-learning-framework-level-duplicate = The level code “{ $code }” is used twice. Each level needs its own code.
err-learning-framework-area-duplicate = The area code “{ $code }” is used twice. Each area needs its own code.
err-learning-framework-competence-duplicate = The competence code “{ $code }” is used twice in the framework. Each competence needs its own code across the whole framework.
err-learning-framework-area-empty = The area “{ $code }” has no competence. Add at least one [[areas.competences]] entry or remove the area.
err-learning-requirement-group-duplicate = The target group “{ $group }” has two requirement tables. Merge them into one [[group]] entry.
err-learning-requirement-duplicate = The group “{ $group }” gives a requirement for the competence { $competence } twice. Keep one line with the level to reach.
err-learning-framework-unknown = There is no framework “{ $framework }”. Correct the framework code or load that framework first.
err-learning-competence-unknown = The framework { $framework } has no competence { $code }. Correct the competence code to match the framework.
err-learning-level-unknown = The framework { $framework } has no level “{ $level }”. Use a level code the framework has.
err-learning-mapping-same = A mapping connects two different frameworks, but both are “{ $framework }”. Correct from_framework or to_framework.
err-learning-mapping-duplicate = The pair { $from } → { $to } is listed twice. Remove one line.
err-learning-mapping-relation = The relation “{ $value }” is not valid. Use one of close (about the same), broader (wider), narrower (narrower).

# Learning pages: the catalogue, a course, a lesson, my learning.
nav-learn = Learn digital skills
nav-my-learning = My learning
learn-title = Digital skills courses
learn-intro = Short lessons of a few minutes each, readable on a phone. Choose a course that suits you; sign in to enrol and keep your progress.
learn-search-label = Search courses
learn-search-help = With or without Vietnamese diacritics, e.g. dich vu cong.
learn-content-lang = Content language
learn-all-langs = All languages
learn-competence = Competence
learn-competence-help = Framework code and competence code, e.g. digcomp22:4.1.
err-learning-competence-form = A competence is written framework:code, e.g. digcomp22:4.1. Correct it or leave the field empty.
learn-clear = Clear filters
learn-none = No course has been published yet.
learn-none-found = No course matches. Try other words or fewer filters.
learn-count = { $n ->
    [one] { $n } course
   *[other] { $n } courses
}
learn-lessons = { $n ->
    [one] { $n } lesson
   *[other] { $n } lessons
}
learn-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
learn-in-vietnamese = in Vietnamese
learn-fallback = This content has no translation into the language you chose, so it is shown in Vietnamese.
learn-length = Length
learn-progress = { $a } of { $b } lessons done
learn-course-done = You have completed this course.
learn-continue = Continue
learn-enrol = Enrol in this course
learn-login-to-enrol = Sign in to enrol
learn-done = done
learn-source = Sources and notes
learn-lesson-of = Lesson { $a } of { $b }
learn-practice = Practice
learn-also-in = This lesson is also in:
learn-lesson-done = You have completed this lesson.
learn-mark-done = I have finished this lesson
learn-enrol-to-track = Enrol to keep your progress
learn-login-to-track = Sign in to keep your progress
learn-lessons-nav = Lessons
learn-prev = ← Previous lesson
learn-next = Next lesson →
learn-mine-none = You have not enrolled in any course yet.
learn-browse = Browse courses
learn-mine-courses = My courses
learn-required = What I need to learn
learn-required-none = No requirement could be found for you: your record has no target group, or the steering committee has not set the levels to reach.
learn-required-intro = The levels to reach to count as digitally literate ("đạt phổ cập kỹ năng số") for:
learn-required-caption = Competences to reach and related courses
learn-level = Level to reach
learn-lessons-done = Lessons done
learn-courses = Courses
err-learning-not-enrolled = You are not enrolled in this course, so a lesson cannot be marked done. Enrol first, then mark it again.
home-next-title = What to do next
home-start-learning = Start learning
err-api-content-lang = Content language "{ $value }" is not supported. Use one of: vi, en, jra, bdq.
err-api-group = Target group "{ $value }" is not valid. Use one of: public_staff, student, worker, resident.
home-required-count = { $n ->
    [one] { $n } competence
   *[other] { $n } competences
}
audit-course-install = Installed or updated a shipped course
course-status-draft = Draft
course-status-review = In review
course-status-published = Published
course-status-archived = Withdrawn
unit-learning-title = Digital skills learning in
unit-learning-intro = Residents of this unit (and the units under it) who enrolled in a course this year: how many started and how many completed.
unit-learning-enrolled = Enrolled
unit-learning-started = Started
unit-learning-completed = Completed
unit-learning-completed-short = completed/enrolled
unit-learning-caption = By course and target group
err-learning-year = Year { $value } is not valid. Choose a four-digit year, e.g. 2026.
err-learning-media-too-large = The image is larger than { $max } MB (this file is { $size } MB). Choose a smaller image or take the picture again at a lower resolution.
err-learning-media-not-image = The file is not a JPEG, PNG or WebP image. Choose a photo or a screenshot.
err-learning-media-dimensions = The image is too large: at most { $max } pixels on each side. Make the image smaller or take the picture again at a lower resolution.
err-learning-media-damaged = The image cannot be read: the file is damaged or was not uploaded completely. Open the image on your computer to check it, then upload it again.
err-learning-media-convert = This image could not be converted for the lesson. Open it in an image viewer, save it as JPEG and upload it again.
err-learning-download-too-large = The file is larger than { $max } MB (this file is { $size } MB). Make it smaller, for example with fewer pictures, or split it into several files.
err-learning-download-kind = A download must be a PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx) or plain text (.txt) file. Programs, archives and files with macros are not accepted. Save the document in one of these formats and upload it again.
err-audio-lang = “{ $lang }” is not a content language; no audio can be made.
err-audio-failed = The lesson audio could not be made: { $reason }
learn-audio-about = Listen ({ $min } min { $sec } s, { $kb } KB). The audio is machine-read and may mispronounce words or pause oddly; the written lesson is the reference.
learn-audio-download = Download the audio
learn-audio-pending = The audio of this lesson is being made. Reload the page in a few minutes to listen.
err-learning-media-name = The file name “media/{ $file }” is not valid. Names in the media folder use only lower-case letters without diacritics, digits and hyphens, ending in .jpg, .pdf, .docx, .xlsx, .pptx or .txt (for example screen-shot.jpg).
err-learning-too-many-media = The package has more than { $max } images and files in its media folder. Remove the ones no lesson uses.
err-learning-package-media-too-large = The images and files in the package's media folder take { $size } MB, more than the { $max } MB a course may hold. Remove unused files or make the images smaller.
err-learning-video-url-empty = The video has no address. Paste the address of the video's page (starting with https://), or clear the title and transcript if the lesson has no video.
err-learning-video-url = The video address “{ $url }” cannot be used. Paste the whole address of the video's page, starting with https://, without spaces.
err-learning-video-host = Lessons link only to videos on YouTube, Vimeo or government sites (.gov.vn); “{ $host }” is none of these. Publish the video on one of them and paste its address.
err-learning-video-transcript-empty = A video needs a transcript: write down what the video says and shows, so that people who cannot watch or hear it, and people on a weak connection, can still learn.
field-learning-video-url = Video address
field-learning-video-title = Video title
field-learning-video-transcript = Video transcript
learn-video = Video
learn-video-on = on
learn-video-transcript = Video transcript (read instead of watching)
learn-audio-about-author = Listen ({ $min } min { $sec } s, { $kb } KB). The lesson's author read it aloud and recorded it.
learn-certificate-h = Certificate of completion
learn-certificate-offered = Learners with a resident record on the platform who complete every lesson receive a certificate of completion (it does not replace the confirmation of basic digital skills).
learn-certificate-no-person = This account is not linked to a resident record, so no certificate of completion can be issued. Ask an officer of the commune where you live to link your account to your record.
