"""fourgood: the "Chi bộ 4 tốt" (4-good party cell) evaluation toolkit.

Data flows one way: criteria spec -> template -> submission -> read -> validate -> score
-> roll up -> write. The command line and the Excel add-in call the same core.
"""

__version__ = "0.1.0"
