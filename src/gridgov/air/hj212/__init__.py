"""HJ 212-2017: the device protocol (codec), the receiver service and a device simulator."""
