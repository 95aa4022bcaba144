"""The fraud-detector's Ray Serve application (`serving.app:app`).

* `serving.model` -- the model.json trainer/train.py writes, and its predictions
* `serving.oip`   -- Open Inference Protocol v2 routes and answers, without HTTP or Ray
* `serving.app`   -- the Ray Serve deployment `FraudDetector` and the application `app`
"""
