"""Video building blocks shared by the Douyin channel (and LED loops): script parsing,
cue timing, subtitle drawing, frame composition and the ffmpeg encoder."""
