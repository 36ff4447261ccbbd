"""`dli-flink fix`: mending what the rules report, in the file as its authors keep it.

`edits.py` is what a rule's fix returns (edits of the document by path); `text.py` turns them into
splices of the file's text where ruamel.yaml says each node is; `run.py` runs the rules' fixes over
files, one finding at a time, and keeps only what reads back as intended and adds no finding.
Only `edits.py` is imported by the rules (on the validator's path): the rest needs ruamel.yaml.
"""
