"""Subcommands of ``ext4io-teach``, one module each (see ``ext4io_teach.cli``)."""
