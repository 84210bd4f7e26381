"""One module per physical part of the fixture, each built on an injected lower-level object (a gpiozero pin
factory, an I2C bus, a serial port, a clock), the way gpiozero devices sit on a pin factory."""
