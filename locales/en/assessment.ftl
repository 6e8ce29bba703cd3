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
