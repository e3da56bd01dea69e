"""The ground every other package stands on: the home folder's paths and settings, file modes, the
clock, Vietnamese number formats, the district's code and the error a user reads. It imports none of
the project's other packages."""
