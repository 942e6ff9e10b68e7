#!/usr/bin/env bash
# Regenerates the pmacct flow-export fixtures in this folder. Run as root; takes ~15 s.
#
# One pmacctd (Debian package pmacct) captures on one end of a veth pair between two
# network namespaces and exports what it sees through four plugins at once: nfprobe as
# NetFlow v5, NetFlow v9 and IPFIX, and sfprobe as sFlow v5, each to its own port on the
# namespace's loopback. One tcpdump per port records the export datagrams, so all four
# files describe the same bounded burst of traffic. Nothing leaves the namespaces: they
# have no default route and use documentation addresses only.
set -euo pipefail

if [[ $EUID -ne 0 ]]; then
  echo "make-fixtures.sh: must run as root (network namespaces, packet capture)" >&2
  exit 1
fi
for tool in ip pmacctd tcpdump tshark ping nc timeout; do
  command -v "$tool" >/dev/null || { echo "make-fixtures.sh: $tool not found" >&2; exit 1; }
done

OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NS_A=nwfix-a
NS_B=nwfix-b
IF_A=nwfix-a0
IF_B=nwfix-b0
MAC_A=02:00:00:00:0a:01
MAC_B=02:00:00:00:0b:01
FILES=(netflow-v5 netflow-v9 ipfix sflow)
# Non-standard export ports on purpose: the tests must tell tshark what to decode.
declare -A PORT=([netflow-v5]=9905 [netflow-v9]=9909 [ipfix]=9910 [sflow]=9943)
# Hard cap on every daemon we start, should this script itself be killed.
CAP="timeout -k 2 40"

WORK="$(mktemp -d /tmp/nwfix.XXXXXX)"
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    # Give each up to 3 s, then kill it and its child outright.
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      pkill -KILL -P "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

# Foreground helpers. Background jobs call `ip netns exec` directly instead, so that $!
# is the process itself (ip execs timeout, which runs the daemon) and not a subshell.
in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# Waits (at most $3 tenths of a second) until file $1 contains the text $2.
wait_for_text() {
  local i
  for i in $(seq "$3"); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "make-fixtures.sh: timed out waiting for '$2' in $1:" >&2
  cat "$1" >&2
  return 1
}

# Stops one of our background processes with SIGTERM and waits for it (bounded by CAP).
stop() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" || true
}

# --- namespaces -------------------------------------------------------------
ip netns del "$NS_A" 2>/dev/null || true
ip netns del "$NS_B" 2>/dev/null || true
ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add "$IF_A" netns "$NS_A" address "$MAC_A" type veth \
  peer name "$IF_B" netns "$NS_B" address "$MAC_B"
in_a ip link set lo up
in_b ip link set lo up
in_a ip addr add 192.0.2.1/24 dev "$IF_A"
in_b ip addr add 192.0.2.2/24 dev "$IF_B"
in_a ip addr add 2001:db8::1/64 dev "$IF_A" nodad
in_b ip addr add 2001:db8::2/64 dev "$IF_B" nodad
# No router solicitations and no duplicate address detection: left on, the kernel sends
# them at times of its own (RS every 4 s), so a fixture would depend on when it was cut.
in_a sysctl -qw "net.ipv6.conf.$IF_A.router_solicitations=0" "net.ipv6.conf.$IF_A.accept_dad=0"
in_b sysctl -qw "net.ipv6.conf.$IF_B.router_solicitations=0" "net.ipv6.conf.$IF_B.accept_dad=0"
in_a ip link set "$IF_A" up
in_b ip link set "$IF_B" up
# The MLD reports of bringing the links up go out within a second; let them pass before
# pmacctd starts, so only the generated traffic (and the neighbour discovery it causes) is seen.
sleep 2

# --- exporters --------------------------------------------------------------
# pmacctd cannot tell a frame's direction on a capture that sees both, so it would
# export every interface as 0 (nfprobe) or 0x3fffffff (sfprobe). A pre-tag map marks
# frames from B as inbound (tag 1) and frames from A as outbound (tag 2); the probes
# then put A's ifIndex in the input or output interface field accordingly.
IFINDEX_A="$(in_a cat "/sys/class/net/$IF_A/ifindex")"
cat >"$WORK/pretag.map" <<MAP
set_tag=1 filter='ether src $MAC_B'
set_tag=2 filter='ether src $MAC_A'
MAP
# Short timeouts so flows expire within seconds: nfprobe does not export what is still in
# its flow cache when pmacctd stops.
cat >"$WORK/pmacctd.conf" <<CONF
daemonize: false
pcap_interface: $IF_A
promisc: false
pre_tag_map: $WORK/pretag.map
plugins: nfprobe[nf5], nfprobe[nf9], nfprobe[ipfix], sfprobe[sf]
aggregate[nf9]: src_mac, dst_mac, vlan, src_host, dst_host, src_port, dst_port, proto, tos, tcpflags
aggregate[ipfix]: src_mac, dst_mac, vlan, src_host, dst_host, src_port, dst_port, proto, tos, tcpflags
nfprobe_version[nf5]: 5
nfprobe_version[nf9]: 9
nfprobe_version[ipfix]: 10
nfprobe_receiver[nf5]: 127.0.0.1:${PORT[netflow-v5]}
nfprobe_receiver[nf9]: 127.0.0.1:${PORT[netflow-v9]}
nfprobe_receiver[ipfix]: 127.0.0.1:${PORT[ipfix]}
nfprobe_engine[nf5]: 5:5
nfprobe_engine[nf9]: 9
nfprobe_engine[ipfix]: 10
nfprobe_direction[nf5]: tag
nfprobe_direction[nf9]: tag
nfprobe_direction[ipfix]: tag
nfprobe_ifindex[nf5]: $IFINDEX_A
nfprobe_ifindex[nf9]: $IFINDEX_A
nfprobe_ifindex[ipfix]: $IFINDEX_A
nfprobe_timeouts: tcp=1:tcp.rst=1:tcp.fin=1:udp=1:icmp=1:general=1:maxlife=2:expint=1
sfprobe_receiver[sf]: 127.0.0.1:${PORT[sflow]}
sfprobe_agentip[sf]: 192.0.2.1
sfprobe_agentsubid[sf]: 7
sfprobe_direction[sf]: tag
sfprobe_ifindex[sf]: $IFINDEX_A
sampling_rate[sf]: 1
! Hand each packet to sfprobe at once: with the default core-to-plugin buffer the last
! packets of the burst often never reached the sFlow export (see README.md).
plugin_buffer_size[sf]: 1
CONF

TCPDUMP_PIDS=()
for name in "${FILES[@]}"; do
  ip netns exec "$NS_A" $CAP tcpdump -i lo -n -s 0 -U -w "$WORK/$name.pcap" "udp dst port ${PORT[$name]}" \
    >"$WORK/tcpdump-$name.log" 2>&1 &
  PIDS+=($!)
  TCPDUMP_PIDS+=($!)
done
for name in "${FILES[@]}"; do wait_for_text "$WORK/tcpdump-$name.log" "listening on" 50; done

ip netns exec "$NS_A" $CAP pmacctd -f "$WORK/pmacctd.conf" >"$WORK/pmacctd.log" 2>&1 &
PMACCTD_PID=$!
PIDS+=("$PMACCTD_PID")
wait_for_text "$WORK/pmacctd.log" "link type is" 50
# The plugins start after the core opens the capture; give them a moment.
sleep 1

# --- traffic ----------------------------------------------------------------
# Listeners in B; each exits after one connection or after its timeout.
ip netns exec "$NS_B" timeout 10 nc -4 -l -n 192.0.2.2 8080 >/dev/null 2>&1 &
PIDS+=($!)
ip netns exec "$NS_B" timeout 10 nc -6 -l -n 2001:db8::2 8080 >/dev/null 2>&1 &
PIDS+=($!)
# A discard listener for the flush datagrams below: it never answers.
ip netns exec "$NS_B" timeout 15 nc -d -u -l -n 192.0.2.2 9 >/dev/null 2>&1 &
PIDS+=($!)
sleep 0.5

in_a ping -n -c 3 -i 0.2 -W 1 192.0.2.2 >/dev/null
in_a ping -6 -n -c 3 -i 0.2 -W 1 2001:db8::2 >/dev/null
# TCP: a completed handshake to an open port and a refused one (SYN, RST-ACK), v4 and v6.
in_a timeout 3 nc -4 -n -z -w 1 -p 40001 192.0.2.2 8080
in_a timeout 3 nc -6 -n -z -w 1 -p 40002 2001:db8::2 8080
in_a timeout 3 nc -4 -n -z -w 1 -p 40003 192.0.2.2 8081 || true
in_a timeout 3 nc -6 -n -z -w 1 -p 40004 2001:db8::2 8081 || true
# UDP: three datagrams over IPv4 and three over IPv6 to a closed port, each answered with
# ICMP port unreachable.
for i in 1 2 3; do
  in_a timeout 2 bash -c "echo probe-$i >/dev/udp/192.0.2.2/5353"
  in_a timeout 2 bash -c "echo probe-$i >/dev/udp/2001:db8::2/5353"
  sleep 0.2
done

# pmacctd's core gets packets from libpcap in batches about a second apart, and sfprobe
# sends its half-filled datagram only on a once-a-second tick that runs when a later batch
# arrives (or after 60 s idle). Without more packets the last samples could still be
# waiting when pmacctd stops. So: three more UDP datagrams, 1.2 s apart, from one source
# port to B's discard listener (which never answers). The samples of the last of them may
# themselves stay unsent; the tests know.
for i in 1 2 3; do
  sleep 1.2
  printf "flush-$i" | in_a timeout 3 nc -u -n -w 0 -p 40009 192.0.2.2 9
done
# Let the 1 s timeouts (checked every second) expire every flow, then stop pmacctd and the
# captures.
sleep 3
stop "$PMACCTD_PID"
sleep 0.5
for pid in "${TCPDUMP_PIDS[@]}"; do stop "$pid"; done

# --- results ----------------------------------------------------------------
# Every generated UDP probe (three each over IPv4 and IPv6; v5 carries IPv4 only) must be
# in each export; in sFlow each also shows up once more, quoted in the ICMP port
# unreachable it caused.
declare -A PROBES=([netflow-v5]=3 [netflow-v9]=6 [ipfix]=6 [sflow]=12)
for name in "${!PROBES[@]}"; do
  proto=cflow; [[ $name == sflow ]] && proto=sflow
  seen="$(tshark -r "$WORK/$name.pcap" -n -d "udp.port==${PORT[$name]},$proto" -T fields \
    -e cflow.dstport -e udp.dstport -E occurrence=a -E separator=, 2>/dev/null | tr , '\n' | grep -cx 5353 || true)"
  if [[ $seen -ne ${PROBES[$name]} ]]; then
    echo "make-fixtures.sh: $name.pcap shows the UDP probes $seen times, not ${PROBES[$name]}: pmacctd did not export everything; run again" >&2
    exit 1
  fi
done
for name in "${FILES[@]}"; do
  install -m 0644 "$WORK/$name.pcap" "$OUT/$name.pcap"
  printf '%-16s %6d bytes, %s\n' "$name.pcap" "$(stat -c %s "$OUT/$name.pcap")" \
    "$(grep -h 'packets captured' "$WORK/tcpdump-$name.log")"
done
# pmacctd warns "connection lost to <plugin>" on every normal shutdown; anything else counts.
if grep -E 'ERROR|WARN' "$WORK/pmacctd.log" | grep -v 'connection lost to' >&2; then
  echo "make-fixtures.sh: pmacctd reported problems (above)" >&2
  exit 1
fi
