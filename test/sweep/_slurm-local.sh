#!/bin/bash
# A one-node Slurm cluster on this machine for the opt-in real-Slurm test (SG3_TEST_SLURM=1):
#   _slurm-local.sh start DIR   writes DIR/slurm.conf, starts munged (if needed), slurmctld, slurmd;
#                               prints the SLURM_CONF to export
#   _slurm-local.sh stop DIR    stops the slurmctld and slurmd started for DIR
# Needs root and Debian's slurm-wlm + munge (apt-get install -y slurm-wlm munge). No accounting
# daemon: sacct answers "accounting storage is disabled", squeue works.
set -euo pipefail
cmd=${1:?start or stop}
dir=$(realpath -m "${2:?state directory}")
case "$cmd" in
start)
  mkdir -p "$dir"/{state,spool,log}
  host=$(hostname -s)
  cpus=$(nproc)
  cat > "$dir/slurm.conf" <<CONF
ClusterName=sg3local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  if ! pgrep -x munged >/dev/null; then
    mkdir -p /run/munge && chown munge:munge /run/munge
    [ -s /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
    munged --force --num-threads=10 2>/dev/null || true
  fi
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -c
  slurmd
  for _ in $(seq 1 30); do
    sinfo -h -o %T 2>/dev/null | grep -q idle && { echo "$SLURM_CONF"; exit 0; }
    sleep 1
  done
  echo "slurm did not come up; see $dir/log" >&2
  exit 1
  ;;
stop)
  for f in slurmd slurmctld; do
    [ -f "$dir/$f.pid" ] && kill "$(cat "$dir/$f.pid")" 2>/dev/null || true
  done
  # Wait (up to 15 s) until both have exited: slurmctld writes its state files while shutting down,
  # and the test removes the directory right after this returns.
  for _ in $(seq 150); do
    alive=0
    for f in slurmd slurmctld; do
      [ -f "$dir/$f.pid" ] && kill -0 "$(cat "$dir/$f.pid")" 2>/dev/null && alive=1
    done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  ;;
esac
