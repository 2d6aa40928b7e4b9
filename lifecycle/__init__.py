"""The pure rules of the lifecycle service: versions, policy, cycles, status.

Nothing in this package imports Flask or SQLAlchemy or reads the clock: every
date is an argument.
"""
