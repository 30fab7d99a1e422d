"""Certificate content as data: the model (model.py); loading with line numbers (loader.py, which
reads files through load_files.py and builds items, rubrics and competencies in load_items.py);
validation (lint.py for the tree's rules, lint_items.py for what one module holds, lint_report.py
for how both report). Pure: it reads text it is given and never touches a database."""
