# Starts containers the way tests do, knowing nothing of covkit.
import subprocess
import sys
import time

analysis, compose_file, project, stopper, name = sys.argv[1:6]
subprocess.run(["docker", "run", "--rm", analysis, "python3", "/app/analyze.py"], check=True)
subprocess.run(["docker-compose", "-f", compose_file, "-p", project, "up"], check=True)
subprocess.run(["docker-compose", "-f", compose_file, "-p", project, "down"], check=True)
subprocess.run(["docker", "run", "-d", "--name", name, stopper], check=True, stdout=subprocess.DEVNULL)
for _ in range(600):
    logs = subprocess.run(["docker", "logs", name], capture_output=True, text=True).stdout
    if "ready" in logs:
        break
    time.sleep(0.1)
subprocess.run(["docker", "stop", "-t", "30", name], check=True, stdout=subprocess.DEVNULL)
subprocess.run(["docker", "rm", name], check=True, stdout=subprocess.DEVNULL)
if sys.argv[6:] == ["dockerpy"]:
    # Through the Engine API, as docker-py and testcontainers do.
    import docker

    client = docker.from_env()
    out = client.containers.run(analysis, ["python3", "/app/analyze.py"], remove=True, network_mode="none")
    print(out.decode().strip())
