"""The staff console: clinic staff teach the assistant in the browser (docs/STAFF.md).

A process of its own (``make staff``, 127.0.0.1:8081), never on the patient-facing origin. It
reads and edits the project's files through the same code the command-line tools use
(tools/check.py, tools/new_topic.py, tools/report.py), records every change as a git commit
under the staff member's name, and keeps its own state (accounts, sessions, approvals) in
var/staff.db. It imports nothing from Rasa: the assistant's server and the console only share
files (and, to publish, Rasa's model-server mechanism).
"""
