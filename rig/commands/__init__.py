"""One module per ``rig`` subcommand; each turns expected failures into ``rig.cli.RigError``."""
