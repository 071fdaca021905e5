#!/usr/bin/env bash
# Start or stop a standalone Spark cluster (one master, one worker) on 127.0.0.1, with the
# launcher the pyspark package ships (bin/spark-class), for tests and benchmarks.
#   scripts/spark-cluster.sh start DIR [CORES] [MEMORY]  -> prints the master URL on stdout
#   scripts/spark-cluster.sh stop DIR
set -euo pipefail
action=${1:?start or stop}
dir=${2:?state directory}
cores=${3:-2}
memory=${4:-4g}
venv=${VENV:-.venv}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait until FILE has a line matching PATTERN, or fail with the file's end after SECONDS
wait_for() {
  local file=$1 pattern=$2 seconds=$3
  for _ in $(seq $((seconds * 5))); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "Spark did not start: $file ends with" >&2
  tail -n 20 "$file" >&2
  return 1
}

case "$action" in
  start)
    spark_home=$("$venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
    mkdir -p "$dir/work"
    port=$(free_port)
    export SPARK_HOME="$spark_home" SPARK_LOCAL_IP=127.0.0.1 SPARK_LOG_DIR="$dir"
    # no REST submission server: jobs come from drivers on this machine only
    export SPARK_MASTER_OPTS="-Dspark.master.rest.enabled=false"
    nohup "$spark_home/bin/spark-class" org.apache.spark.deploy.master.Master \
      --host 127.0.0.1 --port "$port" --webui-port "$(free_port)" \
      >"$dir/master.log" 2>&1 &
    echo $! >"$dir/master.pid"
    wait_for "$dir/master.log" "elected leader" 60
    nohup "$spark_home/bin/spark-class" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --cores "$cores" --memory "$memory" --webui-port "$(free_port)" \
      --work-dir "$dir/work" "spark://127.0.0.1:$port" \
      >"$dir/worker.log" 2>&1 &
    echo $! >"$dir/worker.pid"
    wait_for "$dir/worker.log" "Successfully registered with master" 60
    echo "spark://127.0.0.1:$port"
    ;;
  stop)
    for role in worker master; do
      if [ -f "$dir/$role.pid" ]; then
        kill "$(cat "$dir/$role.pid")" 2>/dev/null || true
        rm -f "$dir/$role.pid"
      fi
    done
    ;;
  *)
    echo "usage: $0 start|stop DIR [CORES] [MEMORY]" >&2
    exit 2
    ;;
esac
