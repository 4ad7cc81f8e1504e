"""The box: the daemon, systemd notify, the network guard, first boot, doctor checks."""
