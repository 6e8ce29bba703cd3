# Starter question banks (content/items/<framework>/<competence>-<level>.toml), issue 10.
err-bank-syntax = The question file has a TOML syntax error on line { $line } (technical detail: { $detail }). Fix that line following the example in content/items/README.md.
err-bank-invalid = Part of the question file is not in the expected format (technical detail: { $detail }). Fix it following the example in content/items/README.md.
err-bank-unknown-key = The key “{ $key }” is not part of the question bank format (perhaps a typo). Keys allowed here: { $allowed }.
err-bank-missing-key = The key “{ $key }” is missing. Add a line { $key } = … following the example in content/items/README.md.
err-bank-missing-key-for-type = A question of type { $type } needs the key “{ $key }”. Add it following the example in content/items/README.md.
err-bank-key-not-for-type = A question of type { $type } does not use the key “{ $key }”. Remove that line, or correct the question type.
err-bank-empty = The key “{ $key }” is empty. Write its content.
err-bank-type-text = The value of “{ $key }” must be text in double quotes, for example { $key } = "…".
err-bank-type-texts = The value of “{ $key }” must be a list of texts in square brackets, each in double quotes, for example ["…", "…"].
err-bank-type-bool = The value of “{ $key }” must be true or false, without quotes.
err-bank-type-numbers = The value of “{ $key }” must be the number of the right option (counting from 1), for example 2, or a list of numbers such as [1, 3].
err-bank-type-items = “{ $key }” must be the questions, each starting with a line [[item]].
err-bank-bad-competence = “{ $framework }:{ $competence }” is not a valid competence code. Give framework as the framework's code (for example digcomp22) and competence as the competence's code (for example 1.1).
err-bank-bad-level = The level “{ $level }” is not valid. Write the level as digits in quotes, for example level = "2".
err-bank-pool-too-long = The pool name is longer than { $max } characters. Shorten it.
err-bank-file-name = The file “{ $file }” declares competence { $competence } at level { $level }, so it must be named “{ $expected }”. Rename the file or correct competence and level to the right cell of the framework.
err-bank-file-folder = The file is in the folder “{ $folder }” but declares the framework “{ $framework }”. Move it to content/items/{ $framework }/ or correct framework.
err-bank-no-items = The file has no questions. Add questions, each starting with a line [[item]].
err-bank-bad-code = A question code has only lowercase letters a–z without accents, digits and hyphens, does not start or end with a hyphen and is at most { $max } characters long, for example "tk2-01".
err-bank-code-twice = This question code is already used by another question in the file. Give each question its own code.
err-bank-bad-type = There is no question type “{ $type }”. Choose one of: { $allowed }.
err-bank-bad-difficulty = There is no difficulty “{ $difficulty }”. Choose easy, medium or hard.
err-bank-correct-one = A single_choice question has exactly one right answer: give correct as one number, for example correct = 2. If several answers are right, change type to multiple_choice.
err-bank-correct-several = A multiple_choice question gives its right answers as a list of numbers, for example correct = [1, 3]. If only one answer is right, change type to single_choice.
err-bank-correct-range = There is no option number { $correct }: the question has { $n } options, numbered 1 to { $n }. Correct the value of correct.
err-bank-correct-twice = Option number { $correct } is listed twice among the right answers. List each number once.
err-bank-option-count = The choice question has { $n } options; it needs { $min } to { $max }.
err-bank-step-count = The ordering question has { $n } steps; it needs { $min } to { $max }.
err-bank-pair-count = The matching question has { $n } pairs; it needs { $min } to { $max }.
err-bank-bad-picture = The picture name “{ $picture }” is not valid. Give the name of a file in the bank's media/ folder, with only lowercase letters without accents, digits, hyphens and the extension .png, .jpg, .jpeg or .webp, for example "tin-nhan.png".
