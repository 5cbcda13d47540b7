"""The stock single-person MediaPipe graph over PyAV frames: the baseline ``pose_speed.py`` times
as a whole process (``python benchmarks/stock_pose.py VIDEO``)."""

import sys

import av
import mediapipe as mp

with av.open(sys.argv[1]) as container, mp.solutions.pose.Pose(model_complexity=1) as pose:
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    n = sum(1 for f in container.decode(stream) if pose.process(f.to_ndarray(format="rgb24")))
print(n, "frames")
