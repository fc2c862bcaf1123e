"""Benchmarks: `make bench` (bench.py), the restart under load (restart.py), `make soak`
(soak.py), the first answer (first_answer.py) and the worked example (worked_example.py); the
parts they share: clients.py (REST and socket.io), serve.py (starting and stopping servers,
scripts/serve in a linked copy), load.py (load shapes, patients), measure.py (memory, time to
ready), report.py (statistics, table, JSON, plot), training.py (the stock project, training
times)."""
