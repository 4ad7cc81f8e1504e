"""The SD image's building blocks, tested without building an image (no debootstrap, no qemu):
the image-wide privacy check on small synthetic root filesystems, the partition plan, and the
firewall (checked by nft, and exercised in a throwaway network namespace when run as root)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IMAGE = REPO / "device" / "image"
OVERLAY = IMAGE / "rootfs-overlay"
MIB = 1024 * 1024


# ------------------------------------------------------------------ the privacy check

def enable(root: Path, target: str, unit: str, where: str = "etc/systemd/system") -> None:
    wants = root / where / f"{target}.wants"
    wants.mkdir(parents=True, exist_ok=True)
    (wants / unit).symlink_to(f"/lib/systemd/system/{unit}")


def mask(root: Path, unit: str) -> None:
    d = root / "etc/systemd/system"
    d.mkdir(parents=True, exist_ok=True)
    (d / unit).symlink_to("/dev/null")


def good_tree(root: Path) -> Path:
    """A root filesystem the way the image should be: only reviewed units, the firewall on."""
    enable(root, "multi-user.target", "samantha.service")
    enable(root, "sysinit.target", "nftables.service")
    enable(root, "getty.target", "getty@tty1.service")
    enable(root, "sysinit.target", "systemd-journald.service", "usr/lib/systemd/system")
    enable(root, "multi-user.target", "remote-fs.target")  # a target: structure, not a program
    enable(root, "timers.target", "apt-daily.timer")
    mask(root, "apt-daily.timer")  # enabled by the package, masked by us: never runs
    (root / "etc").mkdir(exist_ok=True)
    shutil.copy(OVERLAY / "etc/nftables.conf", root / "etc/nftables.conf")
    return root


ALLOW = """\
# unit  reason
samantha.service     Samantha herself: PrivateNetwork=yes
nftables.service     loads the firewall that blocks egress
getty@.service       a login prompt on the local console
systemd-journald*    local logging
"""


def privacy(root: Path, allow: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(IMAGE / "privacy-check.sh"), str(root), str(allow)],
                          capture_output=True, text=True, timeout=60)


@pytest.fixture()
def allow(tmp_path: Path) -> Path:
    path = tmp_path / "allow.txt"
    path.write_text(ALLOW)
    return path


def test_privacy_check_passes_a_clean_image_and_lists_what_starts(tmp_path: Path,
                                                                  allow: Path) -> None:
    res = privacy(good_tree(tmp_path / "root"), allow)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "ok    samantha.service  (Samantha herself: PrivateNetwork=yes)" in res.stdout
    assert "ok    getty@tty1.service" in res.stdout
    assert "ok    apt-daily.timer  (masked)" in res.stdout
    assert "remote-fs.target" not in res.stdout
    assert "privacy check passed" in res.stdout


@pytest.mark.parametrize(("spoil", "message"), [
    (lambda r: enable(r, "timers.target", "apt-daily-upgrade.timer"),
     "apt-daily-upgrade.timer  opens network connections"),
    (lambda r: enable(r, "multi-user.target", "systemd-timesyncd.service"),
     "systemd-timesyncd.service  opens network connections"),
    (lambda r: enable(r, "multi-user.target", "ssh.service"), "ssh.service  opens network"),
    (lambda r: enable(r, "multi-user.target", "phone-home.service"),
     "phone-home.service  is not in the allow-list"),
    (lambda r: (r / "etc/cloud").mkdir() or (r / "etc/cloud/cloud.cfg").write_text(""),
     "cloud-init is installed"),
    (lambda r: (r / "etc/systemd/system/sysinit.target.wants/nftables.service").unlink(),
     "nftables.service is not enabled"),
    (lambda r: mask(r, "nftables.service"), "nftables.service is not enabled"),
    (lambda r: (r / "etc/nftables.conf").write_text(
        "table inet t { chain output { type filter hook output priority filter; "
        "policy accept; } }\n"), "does not drop output by default"),
    (lambda r: (r / "etc/rc2.d").mkdir() or (r / "etc/rc2.d/S01beacon").symlink_to(
        "../init.d/beacon"), "SysV init script /etc/rc2.d/S01beacon"),
])
def test_privacy_check_fails_on_anything_that_would_reach_out(tmp_path: Path, allow: Path,
                                                              spoil, message: str) -> None:
    root = good_tree(tmp_path / "root")
    spoil(root)
    res = privacy(root, allow)
    assert res.returncode == 1, res.stdout
    assert message in res.stdout
    assert "privacy check FAILED" in res.stdout


def test_an_allow_list_cannot_excuse_a_known_network_unit(tmp_path: Path, allow: Path) -> None:
    root = good_tree(tmp_path / "root")
    enable(root, "multi-user.target", "avahi-daemon.service")
    allow.write_text(ALLOW + "avahi-daemon.service  trust me\n")
    res = privacy(root, allow)
    assert res.returncode == 1
    assert "avahi-daemon.service  opens network connections" in res.stdout


def test_every_allow_list_entry_has_a_reason(tmp_path: Path) -> None:
    bad = tmp_path / "allow.txt"
    bad.write_text("samantha.service\n")
    res = privacy(good_tree(tmp_path / "root"), bad)
    assert res.returncode == 2
    assert "has no reason" in res.stderr
    # and the image's own allow-list parses (every entry with a reason) and passes a clean tree
    res = privacy(good_tree(tmp_path / "root2"), IMAGE / "privacy-allow.txt")
    assert res.returncode == 0, res.stdout + res.stderr


# ------------------------------------------------------------------ the partition plan

def plan(root_bytes: int, disk_id: str = "0x1234abcd") -> tuple[str, dict[str, int]]:
    out = subprocess.run(["bash", str(IMAGE / "layout.sh"), str(root_bytes), disk_id],
                         capture_output=True, text=True, check=True).stdout
    values: dict[str, int] = {}
    for line in out.splitlines():
        if line.startswith("# "):
            for pair in line[2:].split():
                key, value = pair.split("=")
                values[key] = int(value)
    return out, values


@pytest.mark.parametrize("root_bytes", [0, 1, 700 * MIB, 2_600_000_000, 7 * 1024 * MIB])
def test_partitions_are_aligned_in_order_and_fit_the_root(root_bytes: int) -> None:
    _, v = plan(root_bytes)
    parts = [(v["boot_offset"], v["boot_size"]), (v["root_offset"], v["root_size"]),
             (v["state_offset"], v["state_size"])]
    for offset, size in parts:
        assert offset % (4 * MIB) == 0 and size % (4 * MIB) == 0
        assert size > 0
    assert parts[0][0] == 4 * MIB
    for (o1, s1), (o2, _) in zip(parts, parts[1:], strict=False):
        assert o1 + s1 == o2  # contiguous, no overlap
    assert v["root_size"] >= root_bytes * 1.2 + 256 * MIB
    assert v["root_size"] < root_bytes * 1.2 + 256 * MIB + 8 * MIB  # and not wasteful
    assert v["total_size"] == v["state_offset"] + v["state_size"]
    assert v["boot_size"] == 512 * MIB and v["state_size"] == 512 * MIB


def test_bad_arguments_are_refused() -> None:
    for args in (["lots"], ["100", "0x123"], ["100", "1234abcd"]):
        res = subprocess.run(["bash", str(IMAGE / "layout.sh"), *args], capture_output=True,
                             text=True)
        assert res.returncode == 2


@pytest.mark.skipif(not shutil.which("sfdisk"), reason="sfdisk (util-linux fdisk) not installed")
def test_sfdisk_writes_the_plan_as_planned(tmp_path: Path) -> None:
    script, v = plan(2_600_000_000, "0x5a3a00ff")
    disk = tmp_path / "disk.img"
    with disk.open("wb") as fh:
        fh.truncate(v["total_size"])
    subprocess.run(["sfdisk", "-q", str(disk)], input=script, text=True, check=True)
    table = json.loads(subprocess.run(["sfdisk", "-J", str(disk)], capture_output=True,
                                      text=True, check=True).stdout)["partitiontable"]
    assert table["label"] == "dos" and table["id"] == "0x5a3a00ff"
    got = [(p["start"] * 512, p["size"] * 512, p["type"]) for p in table["partitions"]]
    assert got == [(v["boot_offset"], v["boot_size"], "c"),
                   (v["root_offset"], v["root_size"], "83"),
                   (v["state_offset"], v["state_size"], "83")]


# ------------------------------------------------------------------ the firewall

NFT = shutil.which("nft") or (shutil.which("nft", path="/usr/sbin:/sbin"))
as_root = pytest.mark.skipif(os.geteuid() != 0 or NFT is None,
                             reason="needs root and nft (apt-get install nftables)")


def ruleset_with_lan(tmp_path: Path) -> Path:
    """The image's ruleset, with its include pointed at a copy of what the ssh switch adds."""
    d = tmp_path / "nftables.d"
    d.mkdir()
    shutil.copy(OVERLAY / "usr/lib/samantha/nftables-lan/lan.nft", d / "lan.nft")
    main = tmp_path / "nftables.conf"
    main.write_text((OVERLAY / "etc/nftables.conf").read_text()
                    .replace("/etc/nftables.d/*.nft", f"{d}/*.nft"))
    return main


@as_root
def test_nftables_rulesets_are_valid(tmp_path: Path) -> None:
    for path in (OVERLAY / "etc/nftables.conf", ruleset_with_lan(tmp_path)):
        res = subprocess.run([NFT, "-c", "-f", str(path)], capture_output=True, text=True)
        assert res.returncode == 0, res.stderr


PROBE = r"""
import errno, socket, subprocess, sys
NFT = sys.argv[1]
def send(dport, sport=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sport:
        s.bind(("10.77.0.1", sport))
    try:
        s.sendto(b"x", ("10.77.0.2", dport))
        return "sent"
    except OSError as e:
        return errno.errorcode[e.errno]
def dropped():
    out = subprocess.run([NFT, "list", "counter", "inet", "samantha_guard", "egress_dropped"],
                         capture_output=True, text=True, check=True).stdout
    return int(out.split("packets")[1].split()[0])
def tcp(port):
    before = dropped()
    s = socket.socket(); s.settimeout(1)
    try:
        s.connect(("10.77.0.2", port)); return "connected"
    except OSError as e:
        if e.errno:
            return errno.errorcode.get(e.errno, str(e))
    # a dropped SYN times out: the firewall's own counter says whether it was dropped
    return "dropped" if dropped() > before else "timeout"
lo = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); lo.sendto(b"x", ("127.0.0.1", 9))
print(send(53), send(123), tcp(443), send(67, sport=68))
"""


def in_netns(tmp_path: Path, ruleset: Path) -> list[str]:
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    script = (f"ip link set lo up && ip link add v0 type veth peer name v1 && "
              f"ip addr add 10.77.0.1/24 dev v0 && ip link set v0 up && ip link set v1 up && "
              f"{NFT} -f {ruleset} && python3 {probe} {NFT}")
    res = subprocess.run(["unshare", "--net", "bash", "-c", script], capture_output=True,
                         text=True, timeout=60)
    if res.returncode != 0 and ("unshare" in res.stderr or "Operation not permitted"
                                in res.stderr and "sendto" not in res.stderr):
        pytest.skip(f"no network namespaces here: {res.stderr.strip()[:200]}")
    assert res.returncode == 0, res.stderr
    return res.stdout.split()


@as_root
@pytest.mark.skipif(not shutil.which("unshare"), reason="no unshare")
def test_the_box_cannot_reach_out_dns_ntp_https_all_refused(tmp_path: Path) -> None:
    dns, ntp, https, dhcp = in_netns(tmp_path, OVERLAY / "etc/nftables.conf")
    assert (dns, ntp, dhcp) == ("EPERM",) * 3
    assert https in ("EPERM", "dropped")


@as_root
@pytest.mark.skipif(not shutil.which("unshare"), reason="no unshare")
def test_after_the_ssh_switch_only_dhcp_gets_out(tmp_path: Path) -> None:
    dns, ntp, https, dhcp = in_netns(tmp_path, ruleset_with_lan(tmp_path))
    assert (dns, ntp) == ("EPERM",) * 2
    assert https in ("EPERM", "dropped")
    assert dhcp == "sent"


def test_image_scripts_parse() -> None:
    scripts = [*IMAGE.glob("*.sh"), *(OVERLAY / "usr/lib/samantha").glob("*.sh")]
    assert len(scripts) >= 8
    for script in scripts:
        head = script.read_text().splitlines()[:20]
        assert any(line.strip() == "set -euo pipefail" for line in head), script
        subprocess.run(["bash", "-n", str(script)], check=True)
    if shutil.which("shellcheck"):
        res = subprocess.run(["shellcheck", "-x", *map(str, scripts)], capture_output=True,
                             text=True)
        assert res.returncode == 0, res.stdout
