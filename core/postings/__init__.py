"""Postings (挂职/下沉/驻村/派驻): a person sent to a host unit for a while."""
