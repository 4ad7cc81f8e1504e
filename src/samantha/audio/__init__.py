"""The audio edge: the one audio type, devices, playback, echo cancellation, VAD and the
segmenter."""
