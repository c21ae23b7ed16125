"""Extract policies, quantitative targets and meetings from Chinese local-government news.

Data flows one way: read → clean and segment → prompt → call → validate and ground → write.
"""
__version__ = "0.1.0"
