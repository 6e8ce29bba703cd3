# Items of a question bank (issue 10): problems found when written or imported.
err-item-no-correct = The question has no correct answer. Mark the correct option (for a multiple-answer question, at least one).
err-item-all-correct = Every option of the question is marked correct, so it tests nothing. Unmark the wrong options.
err-item-option-count = The question has { $n } options; it needs from 2 to { $max }.
err-item-no-vi = The question has no Vietnamese text. Write the Vietnamese first; other languages translate it.
err-item-lang-twice = The question has two “{ $lang }” texts. Keep one.
err-item-no-stem = The “{ $lang }” text of the question has no question.
err-item-no-explanation = The “{ $lang }” text of the question has no explanation. Say why the right answer is right: learners read it after answering.
err-item-options-differ = The “{ $lang }” text has { $theirs } options; the question has { $mine }. Every language has the same options in the same order.
err-item-matches-differ = The “{ $lang }” text has { $theirs } items in the matching column; it needs { $mine } (each left item matches exactly one right item).
err-item-empty-option = The “{ $lang }” text has an empty option. Write it or remove it.
err-item-same-option = The “{ $lang }” text has two identical options: “{ $text }”. Make them different.
err-item-too-long = { $field } is longer than { $max } characters. Shorten it.
field-item-stem = The question
field-item-option = An option
field-item-explanation = The explanation
field-item-picture-alt = The picture’s description
err-item-no-picture-alt = The “{ $lang }” text of the question has no description of its picture. Say what the picture shows, for someone who cannot see it (a blind learner’s screen reader).
# Importing a question bank from a file (GIFT, Moodle XML): problems with the file or one question.
err-import-too-big = The file is larger than { $max } MB and was not read. Split the question bank into smaller files and import each.
err-import-too-many = The file has { $n } questions, more than the { $max } one import takes. Split it into several files and import each.
err-import-not-utf8 = The file is not UTF-8 text (error on line { $line }). Open it in an editor, save it as UTF-8 and import it again.
err-import-essay = Essay questions are not supported: the answer part in {"{"} {"}"} is empty. Turn it into a question with options to choose from, or remove it from the file.
err-import-numerical = Numerical questions are not supported. Turn it into a question with options to choose from, or remove it from the file.
err-import-short-answer = Short-answer questions (the learner types the answer) are not supported: every answer starts with =. Add wrong options starting with ~ to make it a choice question, or remove it.
err-import-description = This paragraph has no answer part in {"{"} {"}"}, so it is a description, not a question, and was not imported. Add an answer part or remove it from the file.
err-import-fractions = The right answers' fractions add up to { $sum }%; they must add up to exactly 100%. Fix the fractions (for two right answers: %50% each).
err-import-matching-extra = A matching question has a right-hand item matched with nothing on the left; that kind is not supported. Match each right-hand item with a left-hand one, or remove the extra one.
err-gift-no-explanation = The question has no explanation. Add general feedback “####…” just before the closing {"}"}, saying why the right answer is right: the learner reads it after answering.
err-gift-unclosed-title = The question name starts with :: but has no closing ::. Add :: after the name.
err-gift-unclosed-brace = The answer part opens with {"{"} but has no closing {"}"} (or a blank line between them). Add {"}"} after the last answer and remove blank lines inside.
err-gift-brace-inside = The answer part has another {"{"} in it. If it is text in an answer, write \{"{"}; otherwise close the previous answer part with {"}"}.
err-gift-two-answer-blocks = The question has more than one answer part in {"{"} {"}"} (or a stray {"}"}). Keep one answer part; write braces in the text as \{"{"} and \{"}"}.
err-gift-bad-answers = The answer part cannot be read: each answer starts with = (right) or ~ (wrong), or the whole part is T or F for a true/false question. Follow the pattern {"{"}=right answer ~wrong answer{"}"}.
err-gift-bad-weight = The fraction “{ $weight }” is not valid. Write a number from -100 to 100 between two % signs, e.g. ~%50%.
err-gift-bad-matching = Every line of a matching question must read =left item -> right item. Fix the other lines to follow it.
err-gift-media = The question has a picture or sound, but a GIFT file cannot carry the file, so the question would be incomplete. Export it as Moodle XML (which includes files) and import that, or remove the picture and add it after importing.
# Importing a question bank from a Moodle XML file (issue 10 §1).
err-moodle-too-big = The file is larger than { $max } MB. Split the question bank into smaller files (export one category at a time in Moodle) and import them one by one.
err-moodle-too-many = The file has { $n } questions, more than the limit of { $max }. Split it into several files (export one category at a time in Moodle) and import them one by one.
err-moodle-not-utf8 = The file is not UTF-8 text (it may be damaged or saved in another encoding). Export it again from Moodle in the “Moodle XML” format and import that file.
err-moodle-malformed = The file is not valid XML from this line on (a tag never closed, a stray character or a cut-off file). Export it again from Moodle in the “Moodle XML” format.
err-moodle-doctype = The file has a <!DOCTYPE> declaration; Moodle XML files have none, and files with one are not read. Export it again from Moodle in the “Moodle XML” format.
err-moodle-too-deep = The file nests tags more than { $max } levels deep; Moodle XML files never do. Export it again from Moodle in the “Moodle XML” format.
err-moodle-not-quiz = The file is not a Moodle XML question bank (its outer tag must be <quiz>). In Moodle, go to Question bank → Export and choose “Moodle XML”.
err-moodle-unsupported-type = Questions of type “{ $type }” cannot be imported yet; only multiple choice, true/false, matching and ordering can. Rewrite the question as one of those, or leave it out.
err-moodle-partial-credit = A single-answer question gives partial credit to an answer; here each answer is either right (100%) or wrong. In Moodle, give 100% to the right answer and 0% (or less) to the others.
err-moodle-several-correct = A single-answer question has { $n } answers at 100%. Keep one right answer, or make it a multiple-answer question.
err-moodle-fractions-sum = The right answers of a multiple-answer question add up to { $sum }%, not 100%. Fix each answer's grade in Moodle so they add up to 100%.
err-moodle-matching-distractor = The matching question has { $n } extra right-hand items that match nothing; here each left item matches exactly one right item. Remove the extra items in Moodle and export again.
err-moodle-file-kind = The attached file “{ $name }” is neither a picture (PNG, JPEG, GIF, WebP) nor a recording, so it was not imported; the question was imported without it. Convert the file to one of those formats if the question needs it.
err-moodle-audio-not-kept = The sound file “{ $name }” ({ $kind }) was not imported: a question bank has no place for sound yet (a question carries one picture). The question was imported without it; check that its text stands on its own.
err-moodle-file-damaged = The attached file “{ $name }” is damaged (its base64 data cannot be read), so it was not imported; the question was imported without it. Export the file again from Moodle.
err-moodle-extra-picture = The question has more than one picture; only the first is kept, and “{ $name }” was not imported. Combine them into one picture if the question needs both.
err-moodle-too-many-elements = The file has more than { $max } XML tags, more than a real question bank needs. Split it into several files (export one category at a time in Moodle) and import them one by one.
