"""Certificate content as data: the model (model.py), loading with line numbers (loader.py),
validation (lint.py). Pure: it reads text it is given and never touches a database."""
