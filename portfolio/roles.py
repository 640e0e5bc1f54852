"""The four roles of DESIGN.md section 6, as Django group names.

The groups and their model permissions are created by a data migration in `vmo`; the names
live here, at the bottom of the dependency graph, so every app can check them.
"""

DIRECTOR = "VMO Director"
VALUE_STREAM_MANAGER = "Value Stream Manager"
EXECUTIVE = "Executive"
PROGRAM_MANAGER = "Program Manager"

ALL_ROLES = (DIRECTOR, VALUE_STREAM_MANAGER, EXECUTIVE, PROGRAM_MANAGER)
