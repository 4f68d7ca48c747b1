"""Read submitted workbooks and check them with pandera schemas, with located errors."""
