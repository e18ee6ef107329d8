"""Plugin subcommands: `omniaug <name>` from omniaug_register_commands."""

from __future__ import annotations


def test_plugin_command_becomes_an_omniaug_subcommand(capsys):
    """omniaug_register_commands: a plugin's Command runs as `omniaug <name>`; built-in names are kept."""
    from omniaug import Command, Registry, cli, hookimpl, registry
    from omniaug.registry import reset_registry

    def configure(parser):
        parser.add_argument("--times", type=int, default=1)

    class Plugin:
        @hookimpl
        def omniaug_register_commands(self):
            return [
                Command("hello", "say hello", configure, lambda a: print("hello " * a.times) or 0),
                Command("apply", "would shadow the built-in", configure, lambda a: 3),
            ]

    reg = Registry(load_entry_points=False)
    reg.register_plugin(Plugin(), "greeter")
    old = reset_registry(reg)
    try:
        assert cli.main(["hello", "--times", "2"]) == 0
        assert capsys.readouterr().out.strip() == "hello hello"
        assert set(registry().commands) == {"hello", "apply"}
        import warnings

        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            parser = cli.build_parser(registry().commands)
        assert any("shadow" in str(m.message) for m in w)
        assert parser.parse_args(["apply", "cfg", "in", "out"]).func is cli.cmd_apply
    finally:
        reset_registry(old)
