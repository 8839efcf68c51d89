"""``python -m constructs_lib.local invoke cdk.out PATH``: a function of any cloud assembly run in this Python
process, as Lambda would run it: its handler, the environment and layers its template gives it, an event of
the trigger it has (or one given), and, with ``--moto``, the resources its environment names, in moto."""
