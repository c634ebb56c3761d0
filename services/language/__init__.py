"""The console's languages: English (the source) and Simplified Chinese, through gettext catalogues kept with Babel.

`translate._` is the one path from an English sentence to the reader's language; `current` holds the language of
this script run; `formatting` writes numbers and dates the way the language does; `choice` and `preference` decide
which language a person reads.
"""
