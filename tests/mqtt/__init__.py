"""MQTT client, topics, commands and Home Assistant discovery against a real mosquitto."""
