"""Work reports: the daily report (作業日報 / 営業日報) and the service report of a visit."""
