"""fourgood: the "Chi bộ 4 tốt" (4-good party cell) evaluation toolkit.

Data flows one way: criteria spec -> template -> submission -> read -> validate -> score
-> roll up -> write. The command line and the Excel add-in call the same core.
"""

__version__ = "0.1.0"


def main() -> None:
    """The ribbon button of the `fourgood.xlam` add-in.

    xlwings' ribbon add-in runs ``import <add-in name>; <add-in name>.main()``, so the add-in
    file is named fourgood.xlam and this hands over to the add-in package.
    """
    from .addin import main as addin_main

    addin_main()
