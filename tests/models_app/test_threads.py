"""Threads for a training: the cores this process really gets, minus those others keep busy."""

import math

from models_app import threads


def test_quiet_machine_uses_every_core():
    assert threads.training_threads(affinity=2, quota=math.inf, load=0.2) == 2
    assert threads.training_threads(affinity=16, quota=math.inf, load=0.0) == 16


def test_affinity_and_quota_cap_the_threads():
    assert (
        threads.training_threads(affinity=2, quota=math.inf, load=0.0) == 2
    )  # 64-core host, taskset 0,1
    assert threads.training_threads(affinity=64, quota=4.0, load=0.0) == 4  # docker --cpus 4
    assert (
        threads.training_threads(affinity=64, quota=2.5, load=0.0) == 2
    )  # a part core is no thread
    assert threads.training_threads(affinity=64, quota=0.5, load=0.0) == 1


def test_cores_others_keep_busy_get_no_thread():
    assert threads.training_threads(affinity=2, quota=math.inf, load=1.0) == 1
    assert threads.training_threads(affinity=8, quota=math.inf, load=3.0) == 5
    assert (
        threads.training_threads(affinity=8, quota=math.inf, load=2.4) == 6
    )  # busy < half: still ours


def test_a_saturated_machine_still_gets_one_thread():
    assert threads.training_threads(affinity=2, quota=math.inf, load=5.0) == 1
    assert threads.training_threads(affinity=4, quota=1.0, load=12.0) == 1


def test_other_load_trusts_the_smaller_of_average_and_now():
    # The minute average still holds this worker's previous task; nothing else runs now.
    assert threads.other_load(loadavg=1.9, runnable=0.0) == 0.0
    # A competitor that keeps a core busy shows in both.
    assert threads.other_load(loadavg=3.1, runnable=3.0) == 3.0
    assert threads.other_load(loadavg=0.4, runnable=2.0) == 0.4  # a burst of short tasks right now


def test_cgroup_v2_quota(tmp_path):
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert threads.cgroup_quota(tmp_path, tmp_path / "none") == 1.5
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert threads.cgroup_quota(tmp_path, tmp_path / "none") == math.inf


def test_cgroup_v2_quota_of_the_process_own_group(tmp_path):
    (tmp_path / "system.slice" / "worker").mkdir(parents=True)
    (tmp_path / "system.slice" / "worker" / "cpu.max").write_text("200000 100000\n")
    (tmp_path / "cgroup").write_text("0::/system.slice/worker\n")
    assert threads.cgroup_quota(tmp_path, tmp_path / "cgroup") == 2.0


def test_cgroup_v1_quota(tmp_path):
    cpu = tmp_path / "cpu"
    cpu.mkdir()
    (cpu / "cpu.cfs_quota_us").write_text("300000\n")
    (cpu / "cpu.cfs_period_us").write_text("100000\n")
    assert threads.cgroup_quota(tmp_path, tmp_path / "none") == 3.0
    (cpu / "cpu.cfs_quota_us").write_text("-1\n")
    assert threads.cgroup_quota(tmp_path, tmp_path / "none") == math.inf


def test_no_cgroup_files_means_no_quota(tmp_path):
    assert threads.cgroup_quota(tmp_path, tmp_path / "none") == math.inf


def test_the_system_defaults_give_a_usable_count():
    n = threads.training_threads()
    assert 1 <= n <= threads.available_cores()


def test_runnable_now_leaves_out_this_process_own_threads(tmp_path):
    (tmp_path / "loadavg").write_text("0.90 3.35 5.96 4/167 3697\n")
    for tid, state in ((1, "R"), (2, "R"), (3, "S")):  # the reader and a spinning OpenMP worker
        (tmp_path / "task" / str(tid)).mkdir(parents=True)
        (tmp_path / "task" / str(tid) / "stat").write_text(f"{tid} (python x) {state} 1 2 3\n")
    assert threads._runnable_now(2, tmp_path / "loadavg", tmp_path / "task") == 2.0
